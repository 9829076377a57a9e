import Foundation
import Testing

@testable import ObjectStore

/// What needs no server: URLs, configuration checks, error mapping, an endpoint that is down.
@Suite struct S3ObjectStoreTests {
    static func store(
        endpoint: String = "http://127.0.0.1:9000", bucket: String = "datapilot-objects",
        style: S3ObjectStore.AddressingStyle = .path, prefix: String = "",
        secret: String = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    ) throws -> S3ObjectStore {
        try S3ObjectStore(
            .init(
                endpoint: endpoint, bucket: bucket, region: "us-east-1",
                accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret,
                addressingStyle: style, keyPrefix: prefix))
    }

    @Test func pathStyleURLs() throws {
        let store = try Self.store(prefix: "datapilot/")
        #expect(try store.objectURL(key: "sha256/ab/abcd") == "http://127.0.0.1:9000/datapilot-objects/datapilot/sha256/ab/abcd")
        #expect(
            try store.objectURL(key: "reports/a b+c.json") == "http://127.0.0.1:9000/datapilot-objects/datapilot/reports/a%20b%2Bc.json")
        #expect(store.authority == "127.0.0.1:9000")
        #expect(store.bucketPath == "/datapilot-objects")
        #expect(store.description == "s3://datapilot-objects/datapilot (http://127.0.0.1:9000)")

        // Default ports are left out of the URL and the signed Host; an endpoint path is kept.
        let aws = try Self.store(endpoint: "https://s3.amazonaws.com:443/", prefix: "/p")
        #expect(try aws.objectURL(key: "k") == "https://s3.amazonaws.com/datapilot-objects/p/k")
        #expect(aws.description == "s3://datapilot-objects/p (https://s3.amazonaws.com)")
        let proxied = try Self.store(endpoint: "http://gateway.internal/s3/")
        #expect(try proxied.objectURL(key: "k") == "http://gateway.internal/s3/datapilot-objects/k")
        #expect(proxied.description == "s3://datapilot-objects (http://gateway.internal/s3)")
        let ipv6 = try Self.store(endpoint: "http://[::1]:9000")
        #expect(try ipv6.objectURL(key: "k") == "http://[::1]:9000/datapilot-objects/k")
    }

    /// The reachability check lists nothing under the prefix; `/` in a query value is %2F.
    @Test func reachabilityProbeURL() throws {
        let prefixed = try Self.store(prefix: "team/datapilot")
        #expect(
            prefixed.url(
                SigV4.Request(method: "GET", host: prefixed.authority, path: prefixed.bucketPath, query: prefixed.reachabilityQuery))
                == "http://127.0.0.1:9000/datapilot-objects?list-type=2&max-keys=0&prefix=team%2Fdatapilot%2F")
        let plain = try Self.store(endpoint: "https://s3.amazonaws.com", style: .virtualHost)
        #expect(
            plain.url(SigV4.Request(method: "GET", host: plain.authority, path: plain.bucketPath, query: plain.reachabilityQuery))
                == "https://datapilot-objects.s3.amazonaws.com/?list-type=2&max-keys=0")
    }

    @Test func virtualHostURLs() throws {
        let store = try Self.store(endpoint: "https://s3.eu-west-1.amazonaws.com", style: .virtualHost, prefix: "dp")
        #expect(try store.objectURL(key: "sha256/ab/abcd") == "https://datapilot-objects.s3.eu-west-1.amazonaws.com/dp/sha256/ab/abcd")
        #expect(store.authority == "datapilot-objects.s3.eu-west-1.amazonaws.com")
        #expect(store.bucketPath == "/")
        #expect(store.description == "s3://datapilot-objects/dp (https://s3.eu-west-1.amazonaws.com)")
        let local = try Self.store(endpoint: "http://localhost:9000", style: .virtualHost)
        #expect(try local.objectURL(key: "k") == "http://datapilot-objects.localhost:9000/k")
    }

    @Test func configurationIsChecked() throws {
        func rejected(_ make: () throws -> S3ObjectStore) -> String? {
            do {
                _ = try make()
                return nil
            } catch let error as ObjectStoreError {
                return error.code == .rejected ? error.message : "wrong code: \(error)"
            } catch {
                return "wrong error: \(error)"
            }
        }
        #expect(rejected { try Self.store(endpoint: "s3.amazonaws.com") }?.contains("http:// or https://") == true)
        #expect(rejected { try Self.store(endpoint: "ftp://host") }?.contains("http:// or https://") == true)
        let withUserInfo = rejected { try Self.store(endpoint: "http://user:hunter22@host:9000") }
        #expect(withUserInfo?.contains("must not carry credentials") == true)
        #expect(withUserInfo?.contains("hunter22") == false)
        #expect(rejected { try Self.store(bucket: "") }?.contains("bucket") == true)
        #expect(rejected { try Self.store(bucket: "a/b") }?.contains("bucket") == true)
        #expect(rejected { try Self.store(secret: "") }?.contains("secret access key") == true)
        #expect(rejected { try Self.store(bucket: "Upper_Case", style: .virtualHost) }?.contains("path-style") == true)
        #expect(rejected { try Self.store(endpoint: "http://127.0.0.1:9000", style: .virtualHost) }?.contains("IP address") == true)
        #expect(rejected { try Self.store(bucket: "Upper_Case", style: .path) } == nil, "path-style takes legacy bucket names")
    }

    @Test func keysThatWouldBeRewrittenAreRefused() async throws {
        let store = try Self.store()
        for key in ["", "/abs", "a/../b", "a/./b", "..", "a\nb"] {
            let error = await #expect(throws: ObjectStoreError.self, "\(key.debugDescription)") { _ = try await store.size(key: key) }
            #expect(error?.code == .rejected)
        }
    }

    @Test func errorDocumentsAreParsed() {
        let xml = Array(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>AuthorizationHeaderMalformed</Code><Message>the region &apos;us-east-1&apos; is wrong; expecting &apos;eu-west-1&apos; &amp; more</Message>\
            <Region>eu-west-1</Region><RequestId>1</RequestId></Error>
            """.utf8)
        #expect(
            S3ErrorResponse(xml: xml)
                == S3ErrorResponse(
                    code: "AuthorizationHeaderMalformed",
                    message: "the region 'us-east-1' is wrong; expecting 'eu-west-1' & more",
                    region: "eu-west-1"))
        #expect(S3ErrorResponse(xml: Array("<html><body>Not Found</body></html>".utf8)) == nil)
        #expect(S3ErrorResponse(xml: []) == nil)
    }

    @Test func errorsSayWhatToCheck() throws {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let store = try Self.store(prefix: "dp")
        func map(_ status: Int, _ body: String = "", region: String? = nil) -> ObjectStoreError {
            store.failure(status: status, bucketRegion: region, body: Array(body.utf8), doing: "read k")
        }
        func document(_ code: String, _ message: String = "", extra: String = "") -> String {
            "<Error><Code>\(code)</Code><Message>\(message)</Message>\(extra)</Error>"
        }

        var error = map(404, document("NoSuchKey", "The specified key does not exist."))
        #expect(error.code == .notFound)
        #expect(error.message.contains("no such object in s3://datapilot-objects/dp (http://127.0.0.1:9000)"))

        error = map(404, document("NoSuchBucket", "The specified bucket does not exist"))
        #expect(error.code == .rejected)
        #expect(
            error.message.contains(
                "there is no bucket 'datapilot-objects' at http://127.0.0.1:9000; check the bucket name and the endpoint"))

        error = map(
            403,
            document(
                "SignatureDoesNotMatch", "The request signature we calculated does not match (secret \(secret))",
                extra: "<StringToSign>AWS4-HMAC-SHA256 leaked</StringToSign><AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>"))
        #expect(error.code == .rejected)
        #expect(error.message.contains("check secretAccessKey"))
        #expect(!error.message.contains(secret), "credentials are blanked out even when the server echoes them")
        #expect(!error.message.contains("AKIAIOSFODNN7EXAMPLE"))
        #expect(!error.message.contains("leaked"), "only Code and Message are read")

        #expect(map(403, document("InvalidAccessKeyId")).message.contains("check accessKeyId"))
        #expect(map(400, document("ExpiredToken")).message.contains("session token has expired"))
        #expect(map(403, document("AccessDenied", "Access Denied")).message.contains("check the IAM and bucket policies"))
        #expect(map(403, document("RequestTimeTooSkewed")).message.contains("system clock"))
        #expect(map(400, document("EntityTooLarge")).message.contains("multipart upload, which is not implemented"))
        #expect(map(400, document("XAmzContentSHA256Mismatch")).code == .io)

        error = map(400, document("AuthorizationHeaderMalformed", "wrong region", extra: "<Region>eu-west-1</Region>"))
        #expect(error.message.contains("is not in region us-east-1 at this endpoint (it is in eu-west-1); check the region"))
        error = map(301, region: "eu-central-1")  // a HEAD: no body, the region in a header
        #expect(error.message.contains("(it is in eu-central-1)"))

        error = map(403)  // a HEAD refused: no body to say why
        #expect(error.code == .rejected)
        #expect(error.message.contains("check accessKeyId, secretAccessKey and sessionToken"))
        #expect(map(503, document("SlowDown")).code == .unreachable)
        #expect(map(502).code == .unreachable)
        #expect(map(405, "<html>Method Not Allowed</html>").message.contains("check that the endpoint URL is an S3 API endpoint"))
        #expect(map(418, document("Teapot", "short and stout")).message.hasSuffix("[S3 said 418 Teapot: short and stout]"))
    }

    @Test func aClosedPortIsUnreachableAndNamesTheEndpoint() async throws {
        let folder = try TemporaryFolder()
        try writeFile(folder.path("f"), Data("x".utf8))
        let store = try Self.store(endpoint: "http://127.0.0.1:1")
        let check = await #expect(throws: ObjectStoreError.self) { try await store.checkReachable() }
        #expect(check?.code == .unreachable)
        #expect(check?.message.contains("cannot reach the S3 endpoint http://127.0.0.1:1") == true)
        let put = await #expect(throws: ObjectStoreError.self) {
            try await store.put(file: folder.path("f"), key: "k", contentType: "text/plain")
        }
        #expect(put?.code == .unreachable)
        let get = await #expect(throws: ObjectStoreError.self) { try await store.get(key: "k", range: 0...1, to: folder.path("out")) }
        #expect(get?.code == .unreachable)
        #expect(!FileManager.default.fileExists(atPath: folder.path("out")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["f"], "no partial download left behind")
    }

    @Test func configurationDescriptionsHideSecrets() throws {
        let store = try Self.store(secret: "SECRETSHOULDNOTPRINT")
        var dumped = ""
        dump(store, to: &dumped)
        for text in [store.description, "\(store.configuration)", String(reflecting: store.configuration), dumped] {
            #expect(!text.contains("SECRETSHOULDNOTPRINT"))
        }
    }
}

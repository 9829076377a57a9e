import Foundation
import Testing

@testable import ObjectStore

@Suite struct SigV4Tests {
    /// The example credentials of AWS's S3 SigV4 documentation.
    static let awsExample = SigV4(
        credentials: AWSCredentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    /// 20130524T000000Z
    static let awsExampleDate = Date(timeIntervalSince1970: 1_369_353_600)

    /// "Example: GET Object" in
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
    @Test func awsGetObjectExample() {
        let signed = Self.awsExample.sign(
            SigV4.Request(
                method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                headers: [("Range", "bytes=0-9")], payloadHash: SigV4.emptyPayloadHash),
            at: Self.awsExampleDate)
        #expect(
            signed.canonicalRequest == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            signed.stringToSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
        let sent = Dictionary(uniqueKeysWithValues: signed.headers.map { ($0.name, $0.value) })
        #expect(sent["host"] == "examplebucket.s3.amazonaws.com")
        #expect(sent["x-amz-date"] == "20130524T000000Z")
        #expect(sent["x-amz-content-sha256"] == SigV4.emptyPayloadHash)
        #expect(sent["range"] == "bytes=0-9")
        #expect(sent["x-amz-security-token"] == nil)
    }

    /// "Example: GET Bucket (List Objects)" and "Example: GET Bucket Lifecycle" from the same
    /// page: query strings, sorted, and a parameter without a value.
    @Test func awsQueryExamples() {
        let list = Self.awsExample.sign(
            SigV4.Request(
                method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/",
                query: [("prefix", "J"), ("max-keys", "2")]),
            at: Self.awsExampleDate)
        #expect(list.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "max-keys=2&prefix=J")
        #expect(list.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")

        let lifecycle = Self.awsExample.sign(
            SigV4.Request(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/", query: [("lifecycle", "")]),
            at: Self.awsExampleDate)
        #expect(lifecycle.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    /// A PUT with a real payload hash, a session token, a content type, a non-default port and a
    /// key that needs encoding, cross-checked against botocore 1.43.11. The expected values
    /// were produced with:
    ///
    ///     from botocore.auth import S3SigV4Auth; from botocore.awsrequest import AWSRequest
    ///     from botocore.credentials import Credentials; from botocore.utils import percent_encode
    ///     creds = Credentials("AKIDEXAMPLEDATAPILOT", "s3cr3t/Example+Key=ForDataPilotTests0000",
    ///                         "FwoGZXIvYXdzEXAMPLETOKEN//+=")
    ///     url = "http://127.0.0.1:9000/datapilot-objects/" + percent_encode(
    ///         "reports/2024 Q1/summary+final (v2).json", safe="/~")   # what boto3's S3 client does
    ///     req = AWSRequest(method="PUT", url=url, headers={"Content-Type": "application/json"},
    ///                      data=b"hello datapilot\n")
    ///     # botocore.auth.datetime.datetime.utcnow patched to return 2024-03-15 12:30:45
    ///     S3SigV4Auth(creds, "s3", "eu-west-1").add_auth(req)
    ///     print(req.headers["Authorization"])
    ///
    /// (http, so botocore signs the payload's sha256 rather than UNSIGNED-PAYLOAD.)
    @Test func botocorePutCrossCheck() {
        let signer = SigV4(
            credentials: AWSCredentials(
                accessKeyId: "AKIDEXAMPLEDATAPILOT", secretAccessKey: "s3cr3t/Example+Key=ForDataPilotTests0000",
                sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN//+="),
            region: "eu-west-1")
        let body = Data("hello datapilot\n".utf8)
        let payloadHash = SigV4.sha256Hex(body)
        #expect(payloadHash == "347b1cfa53f1d0abd0c1e96b5cef16f8b52afc989138242aab23e1d54f60daaa")
        let request = SigV4.Request(
            method: "PUT", host: "127.0.0.1:9000",
            path: "/datapilot-objects/reports/2024 Q1/summary+final (v2).json",
            headers: [("Content-Type", "application/json")], payloadHash: payloadHash)
        #expect(request.encodedPath == "/datapilot-objects/reports/2024%20Q1/summary%2Bfinal%20%28v2%29.json")
        let signed = signer.sign(request, at: Date(timeIntervalSince1970: 1_710_505_845))  // 2024-03-15T12:30:45Z
        #expect(
            signed.canonicalRequest == """
                PUT
                /datapilot-objects/reports/2024%20Q1/summary%2Bfinal%20%28v2%29.json

                content-type:application/json
                host:127.0.0.1:9000
                x-amz-content-sha256:347b1cfa53f1d0abd0c1e96b5cef16f8b52afc989138242aab23e1d54f60daaa
                x-amz-date:20240315T123045Z
                x-amz-security-token:FwoGZXIvYXdzEXAMPLETOKEN//+=

                content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token
                347b1cfa53f1d0abd0c1e96b5cef16f8b52afc989138242aab23e1d54f60daaa
                """)
        #expect(signed.stringToSign.hasSuffix("\n6b95bc5c74b94ce168c0bb381c17b7da5f5bb86580d3daa613770af0d7c5240d"))
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEDATAPILOT/20240315/eu-west-1/s3/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=d85f47aa6b570698062ba3a4111f98fedbc764589cdfee3dbc51a3e8b9115759"
        )
        #expect(signed.headers.contains { $0.name == "x-amz-security-token" && $0.value == "FwoGZXIvYXdzEXAMPLETOKEN//+=" })
    }

    @Test func uriEncodingFollowsAWSRules() {
        #expect(SigV4.uriEncode("AZaz09-_.~") == "AZaz09-_.~")
        #expect(SigV4.uriEncode("a b+c/d=e&f*") == "a%20b%2Bc%2Fd%3De%26f%2A")
        #expect(SigV4.uriEncode("é") == "%C3%A9")
        // Each segment once, slashes kept, empty segments kept, nothing encoded twice.
        #expect(SigV4.encodePath("/bucket/a b//c%20d") == "/bucket/a%20b//c%2520d")
        #expect(SigV4.encodePath("key") == "/key")
        #expect(SigV4.canonicalQuery([("b", "2"), ("a", "x/y"), ("a", "1"), ("empty", "")]) == "a=1&a=x%2Fy&b=2&empty=")
    }

    @Test func headerValuesAreTrimmedAndCollapsed() {
        let signed = Self.awsExample.sign(
            SigV4.Request(method: "get", host: "h", path: "/", headers: [("  X-Custom ", "  a   b \t c  ")]),
            at: Self.awsExampleDate)
        #expect(signed.canonicalRequest.hasPrefix("GET\n/\n\nhost:h\nx-amz-content-sha256:"))
        #expect(signed.canonicalRequest.contains("\nx-custom:a b c\n"))
    }

    @Test func fileDigestsStream() throws {
        let folder = try TemporaryFolder()
        let bytes = patternBytes(count: 3 * (1 << 20) + 17)  // crosses the 1 MiB chunk size
        try Data(bytes).write(to: folder.url.appendingPathComponent("blob"))
        #expect(try SigV4.sha256Hex(fileAt: folder.path("blob")) == SigV4.sha256Hex(bytes))
        try writeFile(folder.path("empty"), Data())
        #expect(try SigV4.sha256Hex(fileAt: folder.path("empty")) == SigV4.emptyPayloadHash)
        #expect(throws: ObjectStoreError.self) { try SigV4.sha256Hex(fileAt: folder.path("missing")) }
    }

    @Test func timestampsAreUTC() {
        let (day, timestamp) = SigV4.timestamps(Date(timeIntervalSince1970: 1_709_251_199))  // 2024-02-29T23:59:59Z
        #expect(day == "20240229")
        #expect(timestamp == "20240229T235959Z")
    }

    @Test func credentialsNeverPrint() {
        let credentials = AWSCredentials(
            accessKeyId: "AKIDPRINTCHECK", secretAccessKey: "SECRETPRINTCHECK", sessionToken: "TOKENPRINTCHECK")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in ["\(credentials)", String(reflecting: credentials), dumped, "\(SigV4(credentials: credentials, region: "r"))"] {
            #expect(!text.contains("SECRETPRINTCHECK"))
            #expect(!text.contains("TOKENPRINTCHECK"))
        }
    }
}

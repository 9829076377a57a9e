import Curl
import Foundation
import Manifests
import Testing

@Suite struct VersionAPITests {
    let csv = "customer_id,tenure\nc1,3\nc2,14\n"

    @Test(arguments: ServerMode.allCases)
    func externalVersionsRedirectToTheirURL(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("churn"))
            let body = externalVersion("churn-ext", dataset: "churn", labels: #"{"tier": "gold"}"#)
            let created = try await server.request(
                "POST", "/api/datasets/churn/versions", json: body, headers: [("Idempotency-Key", "ext-1")])
            #expect(created.status == 201, "\(created.text)")
            #expect(created.header("Location") == "/api/datasets/churn/versions/churn-ext")
            #expect(created.json["status"]?["sha256"]?.stringValue == String(repeating: "a", count: 64))
            #expect(created.json["status"]?["stored"]?.boolValue == false)
            #expect(created.json["metadata"]?["labels"]?["tier"]?.stringValue == "gold")
            let replay = try await server.request(
                "POST", "/api/datasets/churn/versions", json: body, headers: [("Idempotency-Key", "ext-1")])
            #expect(replay.status == 201)
            #expect(replay.text == created.text)
            let again = try await server.request("POST", "/api/datasets/churn/versions", json: body)
            #expect(again.status == 200)

            let other = try await server.request(
                "POST", "/api/datasets/churn/versions",
                json: externalVersion("churn-ext", dataset: "churn", sha256: String(repeating: "b", count: 64)))
            #expect(other.status == 409)
            #expect(other.json["title"]?.stringValue == "Version is immutable")
            #expect(other.json["detail"]?.stringValue?.contains("create a new version with a new name") == true)

            let download = try await server.request("GET", "/api/datasets/churn/versions/churn-ext/download")
            #expect(download.status == 307)
            #expect(download.header("Location") == "https://data.example.com/churn.csv")

            let path = #"{"metadata": {"name": "churn-p"}, "spec": {"dataset": "churn", "source": {"path": "data/churn.csv"}}}"#
            let refused = try await server.request("POST", "/api/datasets/churn/versions", json: path)
            #expect(refused.status == 400)
            #expect(refused.json["detail"]?.stringValue?.contains("versions/upload") == true)

            let dry = try await server.request(
                "POST", "/api/datasets/churn/versions?dryRun=true", json: externalVersion("churn-dry", dataset: "churn"))
            #expect(dry.status == 201)
            #expect(dry.header("X-DataPilot-Dry-Run") == "true")
            #expect(try await server.request("GET", "/api/datasets/churn/versions/churn-dry").status == 404)

            let elsewhere = try await server.request("POST", "/api/datasets/churn/versions", json: externalVersion("v9", dataset: "other"))
            #expect(elsewhere.status == 422)
            let noDataset = try await server.request("POST", "/api/datasets/nope/versions", json: externalVersion("v9", dataset: "nope"))
            #expect(noDataset.status == 404)
        }
    }

    @Test(arguments: ServerMode.allCases)
    func versionsChangeOnlyTheirLabelsAnnotationsAndDescription(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("churn"))
            let labels = #"{"tier":"gold"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let upload = try await server.request(
                "POST", "/api/datasets/churn/versions/upload?name=churn-1&source_path=data/churn.csv&labels=\(labels)",
                body: .bytes(Array(csv.utf8)))
            #expect(upload.status == 201, "\(upload.text)")
            #expect(upload.json["metadata"]?["labels"]?["tier"]?.stringValue == "gold")
            #expect(upload.json["metadata"]?["resourceVersion"]?.stringValue == "1")
            let sha = try #require(upload.json["status"]?["sha256"]?.stringValue)

            func body(
                labels: String = "{}", description: String? = nil, sha256: String? = nil, path: String = "elsewhere/churn.csv",
                dataset: String = "churn"
            ) -> String {
                let described = description.map { #", "description": "\#($0)""# } ?? ""
                return
                    #"{"metadata": {"name": "churn-1", "labels": \#(labels)}, "spec": {"dataset": "\#(dataset)"\#(described), "source": {"path": "\#(path)", "sha256": "\#(sha256 ?? sha)"}}}"#
            }
            let relabelled = try await server.request(
                "PUT", "/api/datasets/churn/versions/churn-1",
                json: body(labels: #"{"tier": "silver"}"#, description: "October"), headers: [("If-Match", "\"1\"")])
            #expect(relabelled.status == 200, "\(relabelled.text)")
            #expect(relabelled.header("ETag") == "\"2\"")
            #expect(relabelled.json["metadata"]?["labels"]?["tier"]?.stringValue == "silver")
            #expect(relabelled.json["spec"]?["description"]?.stringValue == "October")
            #expect(relabelled.json["spec"]?["source"]?["path"]?.stringValue == "data/churn.csv", "the path is where the client found it")
            let same = try await server.request(
                "PUT", "/api/datasets/churn/versions/churn-1", json: body(labels: #"{"tier": "silver"}"#, description: "October"))
            #expect(same.header("ETag") == "\"2\"", "no-op")
            let events = try await server.request("GET", "/api/audit/events?resource=datasetversion/churn-1")
            #expect(events.json["items"]?.arrayValue?.map { $0["action"]?.stringValue } == ["create", "update"])

            let stale = try await server.request(
                "PUT", "/api/datasets/churn/versions/churn-1", json: body(), headers: [("If-Match", "\"1\"")])
            #expect(stale.status == 412)
            let resha = try await server.request(
                "PUT", "/api/datasets/churn/versions/churn-1", json: body(sha256: String(repeating: "c", count: 64)))
            #expect(resha.status == 409)
            #expect(resha.json["title"]?.stringValue == "Version is immutable")
            #expect(resha.json["detail"]?.stringValue?.contains("create a new version with a new name") == true)
            _ = try await server.request("POST", "/api/datasets", json: dataset("other"))
            let moved = try await server.request("PUT", "/api/datasets/churn/versions/churn-1", json: body(dataset: "other"))
            #expect(moved.status == 409)
            let dry = try await server.request("PUT", "/api/datasets/churn/versions/churn-1?dryRun=true", json: body())
            #expect(dry.status == 200)
            #expect(dry.json["metadata"]?["labels"]?["tier"] == nil)
            let kept = try await server.request("GET", "/api/datasets/churn/versions/churn-1")
            #expect(kept.json["metadata"]?["labels"]?["tier"]?.stringValue == "silver")

            // Every version across datasets, paged and filtered.
            _ = try await server.request("POST", "/api/datasets/other/versions", json: externalVersion("a-other", dataset: "other"))
            #expect(try await server.names("/api/datasetversions") == ["a-other", "churn-1"])
            #expect(try await server.names("/api/datasetversions?label_selector=tier=silver") == ["churn-1"])
            let page = try await server.request("GET", "/api/datasetversions?page_size=1")
            let token = try #require(page.json["next_page_token"]?.stringValue)
            #expect(try await server.names("/api/datasetversions?page_size=1&page_token=\(token)") == ["churn-1"])

            // A dry-run upload stores nothing.
            let dryUpload = try await server.request(
                "POST", "/api/datasets/churn/versions/upload?name=churn-2&dryRun=true", body: .bytes(Array("x\n".utf8)))
            #expect(dryUpload.status == 201)
            #expect(dryUpload.header("X-DataPilot-Dry-Run") == "true")
            #expect(try await server.request("GET", "/api/datasets/churn/versions/churn-2").status == 404)
        }
    }

    static let badMetadata: [(label: String, query: String, mentions: String)] = [
        ("labels not JSON", "labels=team", "labels must be a JSON object"),
        ("labels a list", "labels=%5B%5D", "labels must be a JSON object"),
        ("bad label value", "labels=%7B%22team%22%3A%22a%20b%22%7D", "labels"),
        ("label value not a string", "labels=%7B%22n%22%3A1%7D", "labels"),
        ("bad annotation key", "annotations=%7B%22-bad%22%3A%22x%22%7D", "annotations"),
    ]

    @Test func badUploadMetadataIsRefused() async throws {
        try await withServer { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("churn"))
            for bad in Self.badMetadata {
                let response = try await server.request(
                    "POST", "/api/datasets/churn/versions/upload?name=v1&\(bad.query)", body: .bytes(Array(csv.utf8)))
                #expect(response.status == 400, "\(bad.label): \(response.text)")
                #expect(response.json["detail"]?.stringValue?.contains(bad.mentions) == true, "\(bad.label): \(response.text)")
            }
            #expect(try await server.names("/api/datasetversions").isEmpty)
        }
    }
}

import Curl
import Foundation
import Manifests
import Testing

@Suite struct DatasetTests {
    @Test(arguments: ServerMode.allCases)
    func createGetUpdateDelete(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            let created = try await server.request("POST", "/api/datasets", json: dataset("churn", labels: #"{"team": "growth"}"#))
            #expect(created.status == 201)
            #expect(created.header("Location") == "/api/datasets/churn")
            #expect(created.header("ETag") == "\"1\"")
            #expect(created.json["metadata"]?["createdBy"]?.stringValue == "apikey:bootstrap-admin")

            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 409)

            let fetched = try await server.request("GET", "/api/datasets/churn")
            #expect(fetched.json["spec"]?["format"]?.stringValue == "csv")

            // Stale ETag: 412, nothing written.
            let stale = try await server.request(
                "PUT", "/api/datasets/churn", json: dataset("churn", format: "jsonl"), headers: [("If-Match", "\"9\"")])
            #expect(stale.status == 412)
            let updated = try await server.request(
                "PUT", "/api/datasets/churn", json: dataset("churn", format: "jsonl"), headers: [("If-Match", "\"1\"")])
            #expect(updated.status == 200)
            #expect(updated.header("ETag") == "\"2\"")
            #expect(updated.json["spec"]?["format"]?.stringValue == "jsonl")

            // The same content again is a no-op: same resourceVersion, no audit event.
            let again = try await server.request("PUT", "/api/datasets/churn", json: dataset("churn", format: "jsonl"))
            #expect(again.header("ETag") == "\"2\"")
            let events = try await server.request("GET", "/api/audit/events?resource=dataset/churn")
            #expect(events.json["items"]?.arrayValue?.map { $0["action"]?.stringValue } == ["create", "update"])
            let diff = events.json["items"]?[1]?["diff"]?.arrayValue ?? []
            #expect(diff.contains { $0["path"]?.stringValue == "/spec/format" && $0["new"]?.stringValue == "jsonl" })

            #expect(try await server.request("DELETE", "/api/datasets/churn", headers: [("If-Match", "\"1\"")]).status == 412)
            #expect(try await server.request("DELETE", "/api/datasets/churn").status == 204)
            #expect(try await server.request("GET", "/api/datasets/churn").status == 404)
            #expect(try await server.request("DELETE", "/api/datasets/churn").status == 404)
        }
    }

    @Test(arguments: ServerMode.allCases)
    func listsArePagedAndFilteredByLabels(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            for i in 0..<5 {
                let labels = i % 2 == 0 ? #"{"team": "growth"}"# : #"{"team": "risk", "pii": "yes"}"#
                #expect(try await server.request("POST", "/api/datasets", json: dataset("d\(i)", labels: labels)).status == 201)
            }
            var names: [String] = []
            var path = "/api/datasets?page_size=2"
            var pages = 0
            while true {
                let page = try await server.request("GET", path)
                pages += 1
                names += page.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
                guard let token = page.json["next_page_token"]?.stringValue else { break }
                path = "/api/datasets?page_size=2&page_token=\(token)"
            }
            #expect(names == ["d0", "d1", "d2", "d3", "d4"])
            #expect(pages == 3)

            func selected(_ selector: String) async throws -> [String] {
                let response = try await server.request("GET", "/api/datasets?label_selector=\(selector)")
                return response.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
            }
            #expect(try await selected("team=growth") == ["d0", "d2", "d4"])
            #expect(try await selected("team!=growth") == ["d1", "d3"])
            #expect(try await selected("pii") == ["d1", "d3"])
            #expect(try await selected("!pii,team=growth") == ["d0", "d2", "d4"])
        }
    }

    /// Concurrent creates of one name: exactly one wins, the others get 409, never 500.
    @Test func racingCreatesConflictCleanly() async throws {
        try await withServer { server in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await server.request("POST", "/api/datasets", json: dataset("raced")).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 7, "\(statuses)")
        }
    }

    @Test(arguments: ServerMode.allCases)
    func idempotencyKeysMakeRetriesSafe(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            let first = try await server.request("POST", "/api/datasets", json: dataset("idem"), headers: [("Idempotency-Key", "k-1")])
            let retry = try await server.request("POST", "/api/datasets", json: dataset("idem"), headers: [("Idempotency-Key", "k-1")])
            #expect(first.status == 201)
            #expect(retry.status == 201)
            #expect(retry.text == first.text)
            let other = try await server.request("POST", "/api/datasets", json: dataset("idem2"), headers: [("Idempotency-Key", "k-1")])
            #expect(other.status == 422)
            #expect(other.json["detail"]?.stringValue?.contains("already used for a different request") == true)
            let events = try await server.request("GET", "/api/audit/events?resource=dataset/idem")
            #expect(events.json["items"]?.arrayValue?.count == 1, "created once")
            #expect(try await server.request("GET", "/api/datasets/idem2").status == 404)
        }
    }

    /// A create after a delete, with the same key and body (a deletion reverted in git, the
    /// reconciler's and dpctl's content-derived keys, `dpctl delete` then `apply`), creates the
    /// object again: the first create's stored answer described an object that is gone. Before
    /// the fix the single create answered 201 and created nothing, and the batch was refused.
    @Test func aCreateAfterADeleteCreatesAgainWithTheSameKey() async throws {
        try await withServer { server in
            let headers = [("Idempotency-Key", "again-1")]
            #expect(try await server.request("POST", "/api/datasets", json: dataset("again"), headers: headers).status == 201)
            #expect(try await server.request("DELETE", "/api/datasets/again").status == 204)
            let recreated = try await server.request("POST", "/api/datasets", json: dataset("again"), headers: headers)
            #expect(recreated.status == 201, "\(recreated.text)")
            #expect(try await server.request("GET", "/api/datasets/again").status == 200, "the replayed 201 created nothing")

            let body = batch([manifest(.dataset, dataset("again-b"))], extra: [#""idempotencyKey": "again-b""#])
            #expect(try await server.request("POST", "/api/batch", json: body).status == 200)
            #expect(try await server.request("DELETE", "/api/datasets/again-b").status == 204)
            let again = try await server.request("POST", "/api/batch", json: body)
            #expect(again.status == 200 && again.json["results"]?[0]?["result"] == "created", "\(again.text)")
            #expect(try await server.request("GET", "/api/datasets/again-b").status == 200)
            // A retry of the re-create still replays it.
            let retry = try await server.request("POST", "/api/datasets", json: dataset("again"), headers: headers)
            #expect(retry.status == 201 && retry.text == recreated.text, "\(retry.text)")
        }
    }

    /// Bad requests: each refused with its status and a problem naming the problem, and nothing created.
    static let badRequests:
        [(label: String, method: String, path: String, body: String?, headers: [(String, String)], status: Int, mentions: String)] = [
            ("wrong content type", "POST", "/api/datasets", dataset("x1"), [("Content-Type", "text/plain")], 415, "application/json"),
            (
                "malformed JSON", "POST", "/api/datasets", #"{"metadata": {"name": "x2"}, "spec": {"owner": "a""#, [], 422,
                "ends before the object opened at 1:38 is closed"
            ),
            (
                "unknown field", "POST", "/api/datasets",
                #"{"metadata": {"name": "x3"}, "spec": {"owner": "a", "format": "csv", "fromat": "csv"}}"#, [], 422, "did you mean"
            ),
            (
                "wrong kind", "POST", "/api/datasets", #"{"kind": "Run", "metadata": {"name": "x4"}, "spec": {}}"#, [], 422,
                "takes Dataset objects"
            ),
            ("empty body", "POST", "/api/datasets", "", [], 422, "body is empty"),
            ("JSON array", "POST", "/api/datasets", "[1, 2]", [], 422, "must be a mapping"),
            (
                "oversized body", "POST", "/api/datasets",
                #"{"metadata": {"name": "x5"}, "spec": {"owner": "a", "format": "csv", "description": "\#(String(repeating: "d", count: 2 << 20))"}}"#,
                [], 413, "over"
            ),
            ("bad page size", "GET", "/api/datasets?page_size=0", nil, [], 400, "page_size"),
            ("bad page token", "GET", "/api/datasets?page_token=%25%25%25", nil, [], 400, "page_token"),
            ("bad label selector", "GET", "/api/datasets?label_selector=a%20b=c", nil, [], 400, "team=growth"),
            ("name mismatch", "PUT", "/api/datasets/x6", dataset("x7"), [], 422, "names cannot be changed"),
            ("update of nothing", "PUT", "/api/datasets/x8", dataset("x8"), [], 404, "does not exist"),
            ("unknown route", "GET", "/api/nothing-here", nil, [], 404, "no route"),
            (
                "bad Idempotency-Key", "POST", "/api/datasets", dataset("x9"), [("Idempotency-Key", String(repeating: "k", count: 300))],
                400, "255"
            ),
        ]

    @Test(arguments: ServerMode.allCases)
    func badRequestsAreProblemsAndCreateNothing(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            for bad in Self.badRequests {
                let response = try await server.request(bad.method, bad.path, json: bad.body, headers: bad.headers)
                #expect(response.status == bad.status, "\(bad.label): \(response.status) \(response.text.prefix(300))")
                #expect(response.header("Content-Type") == "application/problem+json", "\(bad.label)")
                #expect(response.json["request_id"]?.stringValue != nil, "\(bad.label)")
                #expect(response.json["detail"]?.stringValue?.contains(bad.mentions) == true, "\(bad.label): \(response.text.prefix(300))")
            }
            let list = try await server.request("GET", "/api/datasets")
            #expect(list.json["items"]?.arrayValue?.isEmpty == true)
            let events = try await server.request("GET", "/api/audit/events")
            #expect(events.json["items"]?.arrayValue?.isEmpty == true, "no audit event for refused requests")
        }
    }

    @Test func validationErrorsPointIntoTheBody() async throws {
        try await withServer { server in
            let body = "{\n  \"metadata\": {\"name\": \"ok\"},\n  \"spec\": {\"owner\": \"a\", \"format\": \"cvs\"}\n}"
            let response = try await server.request("POST", "/api/datasets", json: body)
            #expect(response.status == 422)
            let error = try #require(response.json["errors"]?[0])
            #expect(error["path"]?.stringValue == "spec.format")
            #expect(error["line"]?.numberValue == 3)
            #expect(error["column"]?.numberValue == 36)
            #expect(error["message"]?.stringValue?.contains("did you mean \"csv\"") == true)
        }
    }
}

import APIClient
import APIModel
import Curl
import Foundation
import Manifests
import Testing

@testable import SyncEngine

@Suite struct ApplySetTests {
    @Test(arguments: ServerMode.allCases)
    func applySetsAreCreatedReplacedAndDeleted(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            #expect(try await server.request("GET", "/api/applysets/prod").status == 404)
            let created = try await server.request(
                "PUT", "/api/applysets/prod",
                json: #"{"members": ["qualityrule/churn-checks", "dataset/churn", "dataset/churn"]}"#)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.header("ETag") == "\"1\"")
            #expect(created.json["kind"]?.stringValue == "ApplySet")
            #expect(
                created.json["members"]?.arrayValue?.compactMap(\.stringValue) == ["dataset/churn", "qualityrule/churn-checks"],
                "sorted, unique")
            #expect(created.json["metadata"]?["updatedBy"]?.stringValue == "apikey:bootstrap-admin")

            let same = try await server.request(
                "PUT", "/api/applysets/prod", json: #"{"members": ["dataset/churn", "qualityrule/churn-checks"]}"#)
            #expect(same.status == 200)
            #expect(same.header("ETag") == "\"1\"", "no-op")

            let stale = try await server.request("PUT", "/api/applysets/prod", json: #"{"members": []}"#, headers: [("If-Match", "\"4\"")])
            #expect(stale.status == 412)
            let dry = try await server.request("PUT", "/api/applysets/prod?dryRun=true", json: #"{"members": []}"#)
            #expect(dry.status == 200)
            #expect(dry.header("X-DataPilot-Dry-Run") == "true")
            let replaced = try await server.request(
                "PUT", "/api/applysets/prod", json: #"{"members": ["datasetversion/churn-2026-09", "run/r1"]}"#,
                headers: [("If-Match", "\"1\"")])
            #expect(replaced.status == 200)
            #expect(replaced.header("ETag") == "\"2\"")
            let fetched = try await server.request("GET", "/api/applysets/prod")
            #expect(fetched.json["members"]?.arrayValue?.compactMap(\.stringValue) == ["datasetversion/churn-2026-09", "run/r1"])
            #expect(fetched.json["metadata"]?["resourceVersion"]?.stringValue == "2")

            _ = try await server.request("PUT", "/api/applysets/staging", json: #"{"members": ["experiment/e1"]}"#)
            #expect(try await server.names("/api/applysets") == ["prod", "staging"])
            let page = try await server.request("GET", "/api/applysets?page_size=1")
            #expect(page.json["next_page_token"]?.stringValue != nil)

            let events = try await server.request("GET", "/api/audit/events?resource=applyset/prod")
            let items = events.json["items"]?.arrayValue ?? []
            #expect(items.map { $0["action"]?.stringValue } == ["create", "update"])
            #expect(items.last?["diff"]?.arrayValue?.isEmpty == false)

            #expect(try await server.request("DELETE", "/api/applysets/prod").status == 204)
            #expect(try await server.request("GET", "/api/applysets/prod").status == 404)
            #expect(try await server.request("DELETE", "/api/applysets/prod").status == 404)
        }
    }

    /// A client holding the current members reads the apply set with a 304 (no member list);
    /// after anyone else changes it, or deletes and re-creates it (its resourceVersion starts
    /// again at 1), the same conditional read returns the members the server has.
    @Test func aConditionalReadOfAnUnchangedApplySetIsNotModified() async throws {
        try await withServer { server in
            let created = try await server.request("PUT", "/api/applysets/cached", json: #"{"members": ["dataset/a", "dataset/b"]}"#)
            let updatedAt = try #require(created.json["metadata"]?["updatedAt"]?.stringValue)
            let validator = ApplySetBody.validator(resourceVersion: "1", updatedAt: updatedAt)
            let notModified = try await server.request(
                "GET", "/api/applysets/cached", headers: [("If-None-Match", "W/\"0@x\", " + validator)])
            #expect(notModified.status == 304, "\(notModified.text)")
            #expect(notModified.header("ETag") == "\"1\"")
            #expect(notModified.body.isEmpty)
            // The strong ETag alone is not a validator here (it cannot tell a re-created apply set apart).
            for tag in ["\"1\"", "W/\"1@2001-01-01T00:00:00.000Z\""] {
                let full = try await server.request("GET", "/api/applysets/cached", headers: [("If-None-Match", tag)])
                #expect(full.status == 200 && full.json["members"]?.arrayValue?.count == 2, "\(tag)")
            }
            #expect(try await server.request("GET", "/api/applysets/absent", headers: [("If-None-Match", validator)]).status == 404)

            // The engine's inventory with a cache: the second read is conditional and answered from the cache.
            let client = APIClient(server: server.baseURL, token: TestServer.adminKey)
            let cache = InventoryCache()
            let inventory = Inventory(name: "cached", client: client)
            let first = try await inventory.load(cache: cache)
            #expect(first == [ObjectRef(.dataset, "a"), ObjectRef(.dataset, "b")])
            #expect(cache.entry("cached")?.validator == validator)
            // Answered from the cache: a sentinel remembered under the current validator comes back.
            cache.remember("cached", ([ObjectRef(.dataset, "sentinel")], validator))
            #expect(try await inventory.load(cache: cache) == [ObjectRef(.dataset, "sentinel")])
            // Changed by someone else: the conditional read brings the new members.
            _ = try await server.request("PUT", "/api/applysets/cached", json: #"{"members": ["dataset/c"]}"#)
            #expect(try await inventory.load(cache: cache) == [ObjectRef(.dataset, "c")])
            // Written through the cache: remembered as the PUT answered it.
            try await inventory.save([ObjectRef(.dataset, "d")], cache: cache)
            cache.remember("cached", ([ObjectRef(.dataset, "sentinel")], try #require(cache.entry("cached")?.validator)))
            #expect(try await inventory.load(cache: cache) == [ObjectRef(.dataset, "sentinel")], "the PUT's validator is current")
            // Deleted and re-created at resourceVersion 1 again: never served from the cache.
            _ = try await inventory.load(cache: cache)
            #expect(try await server.request("DELETE", "/api/applysets/cached").status == 204)
            #expect(try await inventory.load(cache: cache) == nil)
            _ = try await server.request("PUT", "/api/applysets/cached", json: #"{"members": ["dataset/a", "dataset/b"]}"#)
            #expect(try await inventory.load(cache: cache) == first)
            cache.remember("cached", ([ObjectRef(.dataset, "sentinel")], validator))
            #expect(try await server.request("DELETE", "/api/applysets/cached").status == 204)
            _ = try await server.request("PUT", "/api/applysets/cached", json: #"{"members": ["dataset/e"]}"#)
            #expect(try await inventory.load(cache: cache) == [ObjectRef(.dataset, "e")])
        }
    }

    static let badBodies: [(label: String, path: String, body: String, status: Int, mentions: String)] = [
        ("not JSON", "/api/applysets/s", "members", 400, "members"),
        ("no members", "/api/applysets/s", #"{"member": []}"#, 400, "members must be a list"),
        ("members not a list", "/api/applysets/s", #"{"members": "dataset/a"}"#, 400, "members must be a list"),
        ("not a string", "/api/applysets/s", #"{"members": ["dataset/a", 3]}"#, 422, "members[1]"),
        ("no slash", "/api/applysets/s", #"{"members": ["dataset"]}"#, 422, "members[0]"),
        ("unknown kind", "/api/applysets/s", #"{"members": ["dataset/a", "datasets/b"]}"#, 422, "did you mean \"dataset\""),
        ("bad name", "/api/applysets/s", #"{"members": ["run/Bad_Name"]}"#, 422, "DNS-1123"),
        ("bad apply set name", "/api/applysets/Bad_Set", #"{"members": []}"#, 400, "apply set's name"),
        ("broken JSON", "/api/applysets/s", #"{"members": ["dataset/a""#, 400, "not valid JSON: 1:"),
        ("too many members", "/api/applysets/s", members(500_001), 413, "at most 500000 members"),
    ]

    /// `{"members": [...]}` with `count` datasets.
    static func members(_ count: Int) -> String {
        #"{"members": ["# + (0..<count).map { #""dataset/d-\#($0)""# }.joined(separator: ",") + "]}"
    }

    /// A source of 150,000 manifests has an apply set of 150,000 members: far over the
    /// 100,000 values and 1 MiB other bodies may have (the reconciler's bench at 100,000
    /// manifests failed its first sync on this).
    @Test func anApplySetOfOneHundredAndFiftyThousandMembersIsTaken() async throws {
        try await withServer { server in
            let response = try await server.request("PUT", "/api/applysets/big", json: Self.members(150_000))
            #expect(response.status == 201, "\(response.text.prefix(500))")
            let read = try await server.request("GET", "/api/applysets/big").json
            #expect(read["members"]?.arrayValue?.count == 150_000)
        }
    }

    @Test func badMembersAreRefused() async throws {
        try await withServer { server in
            for bad in Self.badBodies {
                let response = try await server.request("PUT", bad.path, json: bad.body)
                #expect(response.status == bad.status, "\(bad.label): \(response.status) \(response.text)")
                #expect(response.json["detail"]?.stringValue?.contains(bad.mentions) == true, "\(bad.label): \(response.text)")
            }
            let indexed = try await server.request("PUT", "/api/applysets/s", json: #"{"members": ["dataset/a", "x/y"]}"#)
            #expect(indexed.json["index"]?.numberValue == 1)
            #expect(try await server.names("/api/applysets").isEmpty)
            #expect(try await server.auditTrail().isEmpty)
        }
    }
}

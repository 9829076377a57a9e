import Foundation
import Manifests
import Postgres
import TestSupport
import Testing

/// A manifest of `kind` for a batch: a single write's body with `apiVersion` and `kind` added.
func manifest(_ kind: ManifestKind, _ body: String) -> String {
    #"{"apiVersion": "\#(ManifestKind.apiVersion)", "kind": "\#(kind.rawValue)", "# + body.dropFirst()
}

/// `{"objects": [{"manifest": ...}, ...]}`; `extra` is added to each object (`"ifMatch": ...`).
func batch(_ manifests: [String], extra: [String] = []) -> String {
    let objects = manifests.enumerated().map { index, manifest in
        #"{"manifest": \#(manifest)"# + (index < extra.count && !extra[index].isEmpty ? ", " + extra[index] : "") + "}"
    }
    return #"{"objects": ["# + objects.joined(separator: ", ") + "]}"
}

/// `POST /api/batch`: all or nothing, per-object results naming where, idempotent replays, dry
/// runs, the one write path's hooks (parents, references, provenance, audit), and concurrent
/// batches on two servers.
@Suite struct BatchTests {
    /// One object the server refuses (a rule on a dataset that does not exist): nothing of the
    /// batch is applied, the rule is `refused` naming its field, the others `notApplied`, and
    /// the audit log does not move.
    @Test func oneInvalidObjectAppliesNothing() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("before")).status == 201)
            let before = try await server.auditEvents()
            let body = batch([
                manifest(.dataset, dataset("a")), manifest(.qualityRule, qualityRule("r", dataset: "nope")),
                manifest(.dataset, dataset("b")),
            ])
            let response = try await server.request("POST", "/api/batch", json: body)
            #expect(response.status == 422, "\(response.text)")
            #expect(response.header("content-type") == "application/problem+json")
            let results = response.json["results"]?.arrayValue ?? []
            #expect(results.map { $0["result"]?.stringValue ?? "" } == ["notApplied", "refused", "notApplied"], "\(response.text)")
            #expect(results[1]["object"] == "qualityrule/r")
            #expect(results[1]["errors"]?[0]?["path"] == "objects[1].manifest.spec.dataset", "\(response.text)")
            #expect(results[1]["detail"]?.stringValue?.contains("Dataset \"nope\"") == true, "\(response.text)")
            #expect(results[0]["detail"]?.stringValue?.contains("objects[1] (qualityrule/r)") == true, "\(response.text)")
            #expect(response.json["errors"]?[0]?["path"] == "objects[1].manifest.spec.dataset")
            for name in ["a", "b"] { #expect(try await server.request("GET", "/api/datasets/\(name)").status == 404) }
            #expect(try await server.auditEvents().count == before.count)

            // Two objects the manifest model refuses: both named, with their fields, nothing applied.
            let twoBad = batch([
                manifest(.dataset, dataset("c", format: "xls")), manifest(.dataset, dataset("d")),
                manifest(.dataset, dataset("e", labels: #"{"bad key!": "x"}"#)),
            ])
            let refused = try await server.request("POST", "/api/batch", json: twoBad)
            #expect(refused.status == 422, "\(refused.text)")
            let paths = (refused.json["errors"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
            #expect(paths.contains("objects[0].manifest.spec.format"), "\(paths)")
            #expect(paths.contains { $0.hasPrefix("objects[2].manifest.metadata.labels") }, "\(paths)")
            let outcomes = (refused.json["results"]?.arrayValue ?? []).map { $0["result"]?.stringValue ?? "" }
            #expect(outcomes == ["refused", "notApplied", "refused"], "\(refused.text)")
            #expect(try await server.request("GET", "/api/datasets/d").status == 404)
            #expect(try await server.auditEvents().count == before.count)
        }
    }

    struct BadInput: Sendable {
        var name: String
        var body: @Sendable () -> String
        var status: Int
        /// The `errors[0].path` the problem must carry, or a phrase of its detail.
        var path: String?
        var detail: String?
        var role: String? = nil
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "not JSON", body: { "{" }, status: 400, detail: "not valid JSON"),
        BadInput(name: "not an object", body: { "[1]" }, status: 400, detail: "JSON object"),
        BadInput(name: "no objects member", body: { "{}" }, status: 422, path: "objects"),
        BadInput(name: "empty batch", body: { #"{"objects": []}"# }, status: 422, path: "objects"),
        BadInput(
            name: "too many objects", body: { batch((0...1000).map { manifest(.dataset, dataset("d\($0)")) }) }, status: 422,
            path: "objects", detail: "at most 1000"),
        BadInput(
            name: "an object twice", body: { batch([manifest(.dataset, dataset("x")), manifest(.dataset, dataset("x"))]) },
            status: 422, path: "objects[1]", detail: "objects[0] too"),
        BadInput(
            name: "unknown kind", body: { batch([manifest(.dataset, dataset("x")), #"{"kind": "Model", "metadata": {"name": "m"}}"#]) },
            status: 422, path: "objects[1].manifest.kind", detail: "not \"Model\""),
        BadInput(
            name: "missing name", body: { batch([#"{"kind": "Dataset", "metadata": {}, "spec": {}}"#]) }, status: 422,
            path: "objects[0].manifest.metadata.name"),
        BadInput(name: "manifest not an object", body: { #"{"objects": [{"manifest": 3}]}"# }, status: 422, path: "objects[0].manifest"),
        BadInput(
            name: "bad idempotency key", body: { batch([manifest(.dataset, dataset("x"))], extra: [#""idempotencyKey": "a b""#]) },
            status: 422, path: "objects[0].idempotencyKey"),
        BadInput(
            name: "missing parent", body: { batch([manifest(.datasetVersion, externalVersion("v1", dataset: "ghost"))]) },
            status: 404, path: "objects[0].manifest.spec.dataset", detail: "Dataset \"ghost\""),
        BadInput(
            name: "a version's file (upload it)",
            body: {
                batch([
                    manifest(.dataset, dataset("d")),
                    manifest(
                        .datasetVersion,
                        #"{"metadata": {"name": "v"}, "spec": {"dataset": "d", "source": {"path": "a.csv", "sha256": "\#(String(repeating: "b", count: 64))"}}}"#
                    ),
                ])
            }, status: 400, path: "objects[1].manifest", detail: "upload it"),
        BadInput(
            name: "update of a missing object", body: { batch([manifest(.dataset, dataset("x"))], extra: [#""ifMatch": "\"1\"""#]) },
            status: 404, path: "objects[0].manifest", detail: "Dataset \"x\" does not exist"),
        BadInput(
            name: "viewer", body: { batch([manifest(.dataset, dataset("x"))]) }, status: 403, detail: "needs editor", role: "viewer"),
        BadInput(
            name: "body too large",
            body: { batch([manifest(.dataset, dataset("x", labels: #"{"a": "\#(String(repeating: "x", count: 9 << 20))"}"#))]) },
            status: 413, detail: "over"),
    ]

    /// Each bad request is a problem (`application/problem+json`) with the status and the path
    /// or phrase that says where, and writes nothing. One server for the whole table.
    @Test func badInputIsRefusedNamingWhere() async throws {
        try await withServer { server in
            let viewer = try await server.key(role: "viewer")
            for input in Self.badInputs {
                let key = input.role == "viewer" ? viewer : TestServer.adminKey
                let response = try await server.request("POST", "/api/batch", json: input.body(), key: key)
                let text = "\(input.name): \(response.status) \(response.text.prefix(2000))"
                #expect(response.status == input.status, "\(text)")
                #expect(response.header("content-type") == "application/problem+json", "\(text)")
                if let path = input.path {
                    #expect(response.json["errors"]?[0]?["path"]?.stringValue == path, "\(text)")
                }
                if let detail = input.detail {
                    #expect(response.json["detail"]?.stringValue?.contains(detail) == true, "\(text)")
                }
            }
            // The viewer's key is the one event: nothing of any batch was written.
            let trail = try await server.auditTrail()
            #expect(trail.count == 1 && trail[0].hasPrefix("create apikey/"), "\(trail)")
            #expect(try await server.request("GET", "/api/datasets").json["items"]?.arrayValue?.isEmpty == true)
        }
    }

    /// A stale `ifMatch` (someone changed the object first): 412 naming the object's `ifMatch`.
    @Test func aStaleIfMatchIsRefused() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("x")).status == 201)
            #expect(try await server.request("PUT", "/api/datasets/x", json: dataset("x", labels: #"{"a": "1"}"#)).status == 200)
            let before = try await server.auditEvents().count
            let body = batch(
                [manifest(.dataset, dataset("y")), manifest(.dataset, dataset("x", labels: #"{"a": "2"}"#))],
                extra: ["", #""ifMatch": "\"1\"""#])
            let response = try await server.request("POST", "/api/batch", json: body)
            #expect(response.status == 412, "\(response.text)")
            #expect(response.json["errors"]?[0]?["path"] == "objects[1].ifMatch", "\(response.text)")
            #expect(try await server.request("GET", "/api/datasets/y").status == 404)
            #expect(try await server.auditEvents().count == before)
        }
    }

    /// The same batch again with its objects' idempotency keys: the same answer, nothing
    /// written; a key reused for another object is refused; without keys, a repeat is
    /// `unchanged` and writes nothing either.
    @Test func aReplayChangesNothingAndAnswersTheSame() async throws {
        try await withServer { server in
            let objects = [
                manifest(.dataset, dataset("a")), manifest(.qualityRule, qualityRule("r", dataset: "a")),
                manifest(.experiment, experiment("e", datasets: ["a"])),
            ]
            let keyed = batch(objects, extra: [#""idempotencyKey": "k-a""#, #""idempotencyKey": "k-r""#, #""idempotencyKey": "k-e""#])
            let first = try await server.request("POST", "/api/batch", json: keyed)
            #expect(first.status == 200, "\(first.text)")
            #expect((first.json["results"]?.arrayValue ?? []).map { $0["result"]?.stringValue ?? "" } == ["created", "created", "created"])
            let events = try await server.auditEvents()
            #expect(events.count == 3)
            #expect(Set(events.compactMap { $0["request_id"]?.stringValue }).count == 1, "one request: \(events)")

            let replay = try await server.request("POST", "/api/batch", json: keyed)
            #expect(replay.status == 200, "\(replay.text)")
            #expect(replay.json["results"] == first.json["results"], "\(replay.text)")
            #expect(try await server.auditEvents().count == 3)

            let unkeyed = try await server.request("POST", "/api/batch", json: batch(objects))
            #expect(unkeyed.status == 200, "\(unkeyed.text)")
            #expect(
                (unkeyed.json["results"]?.arrayValue ?? []).map { $0["result"]?.stringValue ?? "" } == [
                    "unchanged", "unchanged", "unchanged",
                ])
            #expect(try await server.auditEvents().count == 3)

            let reused = batch([manifest(.dataset, dataset("a", labels: #"{"x": "y"}"#))], extra: [#""idempotencyKey": "k-a""#])
            let refused = try await server.request("POST", "/api/batch", json: reused)
            #expect(refused.status == 422, "\(refused.text)")
            #expect(refused.json["detail"]?.stringValue?.contains("Idempotency-Key reused") == true, "\(refused.text)")
            #expect(try await server.auditEvents().count == 3)
        }
    }

    /// `?dryRun=true`: the real answer, marked, and nothing written (no row, no event, no key).
    @Test func aDryRunAppliesNothing() async throws {
        try await withServer { server in
            let body = batch(
                [manifest(.dataset, dataset("a")), manifest(.datasetVersion, externalVersion("a-1", dataset: "a"))],
                extra: [#""idempotencyKey": "dry-a""#])
            let dry = try await server.request("POST", "/api/batch?dryRun=true", json: body)
            #expect(dry.status == 200, "\(dry.text)")
            #expect(dry.header("x-datapilot-dry-run") == "true")
            #expect((dry.json["results"]?.arrayValue ?? []).map { $0["result"]?.stringValue ?? "" } == ["created", "created"])
            #expect(try await server.request("GET", "/api/datasets/a").status == 404)
            #expect(try await server.auditEvents().isEmpty)
            let real = try await server.request("POST", "/api/batch", json: body)
            #expect(real.status == 200, "\(real.text)")
            #expect((real.json["results"]?.arrayValue ?? []).map { $0["result"]?.stringValue ?? "" } == ["created", "created"])
            let refusedDry = try await server.request(
                "POST", "/api/batch?dryRun=true", json: batch([manifest(.qualityRule, qualityRule("r", dataset: "ghost"))]))
            #expect(refusedDry.status == 422 && refusedDry.header("x-datapilot-dry-run") == "true", "\(refusedDry.text)")
        }
    }

    /// Objects listed before what they need are written after it (kinds in dependency order);
    /// the write path's hooks run as for single writes: the version's lineage edge, the rule's
    /// reference (its dataset cannot be deleted), per-object provenance, and a caller without
    /// the provenance scope has its source kept as claimed.
    @Test func mixedKindsGoThroughTheOneWritePath() async throws {
        try await withServer { server in
            let commit = String(repeating: "c", count: 40)
            let body = batch(
                [
                    manifest(.run, run("run-1", experiment: "exp", inputs: ["churn-1"])),
                    manifest(.qualityRule, qualityRule("rows", dataset: "churn")),
                    manifest(.datasetVersion, externalVersion("churn-1", dataset: "churn")),
                    manifest(.experiment, experiment("exp", datasets: ["churn"])), manifest(.dataset, dataset("churn")),
                ],
                extra: [
                    #""source": {"path": "runs/run-1.yaml"}"#, #""source": {"path": "quality/rows.yaml", "commit": "\#(commit)"}"#,
                ])
            let response = try await server.request(
                "POST", "/api/batch", json: body,
                headers: [("X-DataPilot-Source-Tool", "batch-test"), ("X-DataPilot-Source-Commit", commit)])
            #expect(response.status == 200, "\(response.text)")
            #expect((response.json["results"]?.arrayValue ?? []).allSatisfy { $0["result"] == "created" && $0["status"] == 201 })
            let trail = try await server.auditTrail()
            #expect(
                trail == [
                    "create dataset/churn", "create datasetversion/churn-1", "create qualityrule/rows", "create experiment/exp",
                    "create run/run-1",
                ], "\(trail)")
            let rule = try #require(try await server.auditEvents("&resource=qualityrule/rows").first)
            #expect(rule["source"]?["path"] == "quality/rows.yaml" && rule["source"]?["tool"] == "batch-test", "\(rule)")
            let runEvent = try #require(try await server.auditEvents("&resource=run/run-1").first)
            #expect(runEvent["source"]?["path"] == "runs/run-1.yaml" && runEvent["source"]?["commit"]?.stringValue == commit)
            #expect(try await server.edges("datasetversion/churn-1").contains("dataset/churn -has-version-> datasetversion/churn-1"))
            #expect(
                try await server.edges("commit/\(commit)", direction: "downstream").contains("commit/\(commit) -changed-> qualityrule/rows")
            )
            #expect(try await server.request("DELETE", "/api/qualityrules/rows").status == 204)
            #expect(try await server.request("DELETE", "/api/datasets/churn").status == 409)

            // An editor has no provenance scope: its source is recorded as claimed, not as the record.
            let editor = try await server.key(role: "editor")
            let claimed = try await server.request(
                "POST", "/api/batch", json: batch([manifest(.dataset, dataset("other"))], extra: [#""source": {"commit": "\#(commit)"}"#]),
                key: editor)
            #expect(claimed.status == 200, "\(claimed.text)")
            let event = try #require(try await server.auditEvents("&resource=dataset/other").first)
            #expect(event["source"]?["claimed"]?["commit"]?.stringValue == commit && event["source"]?["commit"] == nil, "\(event)")
            #expect(!(try await server.edges("commit/\(commit)", direction: "downstream")).contains { $0.hasSuffix("dataset/other") })

            // A run that executes on creation needs the executor role, in a batch as alone.
            let executes = manifest(
                .run, #"{"metadata": {"name": "run-x"}, "spec": {"experiment": "exp", "execute": true, "command": ["true"]}}"#)
            let forbidden = try await server.request("POST", "/api/batch", json: batch([executes]), key: editor)
            #expect(forbidden.status == 403, "\(forbidden.text)")
            #expect(forbidden.json["results"]?[0]?["result"] == "refused", "\(forbidden.text)")
            #expect(try await server.request("GET", "/api/runs/run-x").status == 404)
        }
    }

    /// 8 clients sending batches through two server processes on one database, every batch
    /// also updating one shared dataset (each writer waits on its lock, none deadlocks): every
    /// change has exactly one audit event, the chain is 1, 2, 3 ... and verifies on both.
    @Test func concurrentBatchesOnTwoServersLoseNothing() async throws {
        try await withServer(environment: AuditSealerTests.replicas) { server in
            let other = try await server.sibling(environment: AuditSealerTests.replicas)
            let servers = [server, other]
            #expect(try await server.request("POST", "/api/datasets", json: dataset("hot")).status == 201)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<8 {
                    group.addTask {
                        for round in 0..<4 {
                            let names = (0..<25).map { "c\(client)-r\(round)-\($0)" }
                            let objects =
                                names.map { manifest(.dataset, dataset($0)) }
                                + names.prefix(5).map {
                                    manifest(.qualityRule, qualityRule("rule-\($0)", dataset: $0))
                                } + [manifest(.dataset, dataset("hot", labels: #"{"writer": "c\#(client)-r\#(round)"}"#))]
                            let response = try await servers[(client + round) % 2].request("POST", "/api/batch", json: batch(objects))
                            #expect(response.status == 200, "\(response.text.prefix(1000))")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let events = try await other.auditEvents()
            let sequences = events.compactMap { $0["sequence"]?.numberValue }.map { Int64($0) }
            #expect(!sequences.isEmpty && sequences == Array(1...Int64(sequences.count)), "\(sequences)")
            var perResource: [String: Int] = [:]
            for event in events { perResource[event["resource"]?.stringValue ?? "", default: 0] += 1 }
            let expected = 1 + 8 * 4 * (25 + 5 + 1)
            #expect(events.count == expected, "\(events.count)")
            let hotWrites = 1 + 32
            #expect(perResource["dataset/hot"] == hotWrites)
            for client in 0..<8 {
                for round in 0..<4 {
                    #expect(perResource["dataset/c\(client)-r\(round)-7"] == 1)
                    #expect(perResource["qualityrule/rule-c\(client)-r\(round)-3"] == 1)
                }
            }
            for target in servers {
                let verified = try await target.request("GET", "/api/audit/verify")
                #expect(verified.json["valid"]?.boolValue == true, "\(verified.text)")
                #expect(verified.json["checked"]?.numberValue == Double(events.count), "\(verified.text)")
            }
        }
    }
}

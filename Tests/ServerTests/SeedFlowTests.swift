import Crypto
import Curl
import Foundation
import Manifests
import Postgres
import TestSupport
import Testing

/// The seed's data flow end to end, through the gateway with auth: dataset → version → quality
/// evaluation → experiment and run → the example training script executed with a run-scoped
/// token → evidence bundle → `dpctl evidence verify`, then tampering seen by verification.
@Suite struct SeedFlowTests {
    @Test func datasetToEvidence() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seed-flow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The training code, where the job's user may read it (the local executor's sandbox binds it read-only).
        let code = folder.appendingPathComponent("code")
        try FileManager.default.createDirectory(at: code, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("examples/training/train.py"), to: code.appendingPathComponent("train.py"))
        for path in [folder.path, code.path] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: code.appendingPathComponent("train.py").path)
        try await withServer(environment: ["DATAPILOT_EXECUTORS": "local", "DATAPILOT_EXECUTOR_READ_ONLY_PATHS": code.path]) { server in
            let editor = try await server.key(role: "editor")
            let executor = try await server.key(role: "executor")
            let viewer = try await server.key(role: "viewer")
            func call(_ method: String, _ path: String, _ json: String? = nil, body: HTTPRequest.Body? = nil, key: String? = nil)
                async throws -> HTTPResponse
            {
                try await server.request(method, path, json: json, body: body, key: key ?? editor)
            }
            // Dataset, two versions from the examples, a rule, an evaluation.
            #expect(try await call("POST", "/api/datasets", dataset("churn")).status == 201)
            for month in ["09", "10"] {
                let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("examples/data/churn-2026-\(month).csv"))
                let upload = try await call(
                    "POST", "/api/datasets/churn/versions/upload?name=churn-2026-\(month)&source_path=data/churn-2026-\(month).csv",
                    body: .bytes(Array(data)))
                #expect(upload.status == 201, "\(upload.text)")
            }
            let rule = #"""
                {"metadata": {"name": "churn-hygiene"}, "spec": {"dataset": "churn", "severity": "fail", "checks": [
                  {"name": "enough-rows", "rowCount": {"min": 300}},
                  {"name": "id-unique", "unique": {"columns": ["customer_id"]}},
                  {"name": "known-plans", "allowedValues": {"column": "plan", "values": ["free", "pro", "enterprise"]}},
                  {"name": "tenure", "range": {"column": "tenure_months", "min": 0, "max": 600}}]}}
                """#
            #expect(try await call("POST", "/api/qualityrules", rule).status == 201)
            // Queued for the workers; `wait` answers once it has finished.
            let evaluation = try await call("POST", "/api/evaluations?wait=60s", #"{"datasetVersion": "churn-2026-09"}"#)
            #expect(evaluation.status == 201, "\(evaluation.text)")
            #expect(evaluation.json["outcome"]?.stringValue == "PASSED", "\(evaluation.text)")
            #expect(evaluation.json["summary"]?["checks"]?.arrayValue?.count == 4)
            let report = try await call("GET", "/api/evaluations/\(evaluation.json["id"]?.stringValue ?? "")/report", key: viewer)
            #expect(report.json["rows"]?.numberValue == 473, "\(report.text.prefix(300))")
            // Versions uploaded before their rules existed are evaluated without being asked, and admitted.
            #expect(
                try await eventually(30) {
                    let auto =
                        try await call("GET", "/api/evaluations?datasetVersion=churn-2026-10", key: viewer).json["items"]?.arrayValue ?? []
                    return auto.contains { $0["trigger"]?.stringValue == "admission" && $0["outcome"]?.stringValue == "PASSED" }
                })
            #expect(
                try await eventually(30) {
                    try await call("GET", "/api/datasets/churn/versions/churn-2026-10", key: viewer).json["status"]?["admission"]?["state"]?
                        .stringValue == "Admitted"
                })

            // Experiment and run; the example training script executed by the local executor.
            #expect(try await call("POST", "/api/experiments", experiment("churn-baselines", datasets: ["churn"])).status == 201)
            let script = code.appendingPathComponent("train.py").path
            let commit = String(repeating: "e", count: 40)
            let image = "sha256:" + String(repeating: "d", count: 64)
            let created = try await call(
                "POST", "/api/experiments/churn-baselines/runs",
                #"""
                {"name": "logreg-1", "inputs": [{"datasetVersion": "churn-2026-09"}, {"datasetVersion": "churn-2026-10"}],
                 "code": {"repository": "https://github.com/acme/churn-model", "commit": "\#(commit)"},
                 "image": {"reference": "ghcr.io/acme/churn-train:1.4", "digest": "\#(image)"},
                 "command": ["python3", "\#(script)"],
                 "params": {"train_version": "churn-2026-09", "eval_version": "churn-2026-10", "max_iter": 60, "C": 1.0}, "evidence": true}
                """#)
            #expect(created.status == 201, "\(created.text)")
            let started = try await call("POST", "/api/experiments/runs:execute", #"{"run": "logreg-1"}"#, key: executor)
            #expect(started.status == 202, "\(started.text)")
            var final: JSONValue = .null
            #expect(
                try await eventually(120) {
                    final = try await call("GET", "/api/experiment-runs/logreg-1", key: viewer).json
                    return final["status"]?["state"]?.stringValue.map { ["SUCCEEDED", "FAILED", "LOST", "CANCELLED"].contains($0) } ?? false
                })
            let log = try await call("GET", "/api/experiment-runs/logreg-1/artifacts/run.log", key: viewer)
            #expect(final["status"]?["state"]?.stringValue == "SUCCEEDED", "\(final)\n\(log.text)")
            #expect(final["status"]?["exitCode"]?.numberValue == 0)
            let metrics = try await call("GET", "/api/experiment-runs/logreg-1/metrics", key: viewer).json["items"]?.arrayValue ?? []
            let auc = metrics.first { $0["key"]?.stringValue == "eval_auc" }?["value"]?.numberValue ?? -1
            #expect(auc > 0 && auc <= 1, "\(metrics)")
            #expect(metrics.first { $0["key"]?.stringValue == "train_loss" }?["points"]?.numberValue == 60)
            let artifacts = try await call("GET", "/api/experiment-runs/logreg-1/artifacts", key: viewer).json["items"]?.arrayValue ?? []
            #expect(Set(artifacts.compactMap { $0["name"]?.stringValue }) == ["model.json", "run.log"])
            #expect(log.text.contains("done: eval AUC"), "\(log.text)")
            #expect(
                try await server.edges("run/logreg-1", direction: "downstream").isSuperset(of: [
                    "run/logreg-1 -input-> datasetversion/churn-2026-09",
                    "run/logreg-1 -code-> commit/https://github.com/acme/churn-model@\(commit)",
                    "run/logreg-1 -image-> image/ghcr.io/acme/churn-train:1.4@\(image)",
                ]))

            // `evidence: true`: a bundle was built when the run finished.
            #expect(
                try await eventually(30) {
                    try await call("GET", "/api/experiment-runs/logreg-1/evidence-bundles", key: viewer).json["items"]?.arrayValue?.first?[
                        "createdBy"]?.stringValue == "executor:local"
                })

            // The evidence bundle, verified by dpctl against the server.
            let bundle = try await call("POST", "/api/experiment-runs/logreg-1/evidence-bundles")
            #expect(bundle.status == 201, "\(bundle.text)")
            let file = try await call("GET", bundle.json["bundle"]?.stringValue ?? "/missing", key: viewer)
            #expect(file.status == 200)
            let path = folder.appendingPathComponent("bundle.json")
            try Data(file.body).write(to: path)
            let markdown = try await call("GET", bundle.json["report"]?.stringValue ?? "/missing", key: viewer)
            #expect(markdown.text.contains("# Evidence for run `logreg-1`") && markdown.text.contains("churn-2026-09"))
            let env = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": viewer]
            // The key is pinned: saved once, out of band, from the server's published document.
            let keys = folder.appendingPathComponent("evidence-keys.json")
            try Data(try await call("GET", "/.well-known/datapilot/evidence-keys", key: nil).body).write(to: keys)
            let verified = try await dpctl(["evidence", "verify", path.path, "--key", keys.path, "-o", "json"], environment: env)
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            let checks = (try? JSONText.parse(verified.stdout).get())?["checks"]?.arrayValue ?? []
            let names = Set(checks.compactMap { $0["check"]?.stringValue })
            #expect(
                names.isSuperset(of: [
                    "signature 0", "output artifact/model.json", "input datasetversion/churn-2026-09",
                    "tested input datasetversion/churn-2026-09",
                    "audit chain", "audit anchor", "run's audit events",
                ]), "\(names)")

            // An independent implementation agrees: securesystemslib checks the DSSE signatures with
            // the pinned keys, and the statements have the in-toto, SLSA and test-result shapes.
            let verifier = repositoryRoot.appendingPathComponent("Tests/EvidenceVerifier/verify_bundle.py").path
            let independent = try await Subprocess.run("python3", [verifier, path.path, keys.path], timeout: .seconds(120))
            #expect(independent.status == 0, "\(independent.stdout)\(independent.stderr)")
            #expect(
                independent.stdout.contains("test-result") && independent.stdout.contains("slsa.dev/provenance/v1"), "\(independent.stdout)"
            )

            // A server that forged a bundle would publish its own key: against the pinned key the
            // signatures fail; only --trust-server-key takes the server's word, and says so.
            let otherKey = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
            let others = folder.appendingPathComponent("other-keys.json")
            try Data(#"{"keys": [{"algorithm": "ed25519", "publicKey": "\#(otherKey)"}]}"#.utf8).write(to: others)
            let forged = try await dpctl(["evidence", "verify", path.path, "--key", others.path], environment: env)
            #expect(forged.status == 1 && forged.stdout.contains("did NOT verify"), "\(forged.stdout)\(forged.stderr)")
            let unpinned = try await dpctl(["evidence", "verify", path.path], environment: env)
            #expect(unpinned.status == 2 && unpinned.stderr.contains("--key FILE"), "\(unpinned.stderr)")
            let trusting = try await dpctl(["evidence", "verify", path.path, "--trust-server-key"], environment: env)
            #expect(trusting.status == 0 && trusting.stdout.contains("taken from the server being checked"), "\(trusting.stdout)")
            let badKeys = try await dpctl(["evidence", "verify", path.path, "--key", path.path + ".missing"], environment: env)
            #expect(badKeys.status == 2 && badKeys.stderr.contains("cannot read the key file"), "\(badKeys.stderr)")

            // One byte changed in a signed payload: the signature no longer holds.
            var bytes = Array(file.body)
            let payload = Array(#""payload": ""#.utf8)
            if let start = bytes.indices.first(where: { bytes[$0...].starts(with: payload) }) {
                let at = start + payload.count + 40
                bytes[at] = bytes[at] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            } else {
                Issue.record("no payload in \(String(decoding: bytes.prefix(400), as: UTF8.self))")
            }
            let tampered = folder.appendingPathComponent("tampered.json")
            try Data(bytes).write(to: tampered)
            let refused = try await dpctl(["evidence", "verify", tampered.path, "--key", keys.path], environment: env)
            let independentlyRefused = try await Subprocess.run("python3", [verifier, tampered.path, keys.path], timeout: .seconds(120))
            #expect(
                independentlyRefused.status == 1 && independentlyRefused.stdout.contains("does not verify"),
                "\(independentlyRefused.stdout)")
            #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stdout.contains("did NOT verify"), "\(refused.stdout)")

            // The audit row behind one of the run's events changed in the database: the anchor check fails.
            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { pool.close() }
            try await pool.withConnection {
                try $0.query("update audit_events set actor = 'someone-else' where resource = 'run/logreg-1' and action = 'state'")
            }
            let broken = try await dpctl(["evidence", "verify", path.path, "--key", keys.path], environment: env)
            #expect(broken.status == 1, "\(broken.stdout)\(broken.stderr)")
            #expect(broken.stdout.contains("audit chain"), "\(broken.stdout)")
        }
    }
}

import Foundation
import Manifests
import TestSupport
import Testing

/// A long-running reconciler syncing commits incrementally (only the objects of the files each
/// commit touched) ends, after every commit, where a full sync ends: `dpctl diff --prune`
/// against the apply set finds nothing to do, and the apply set is exactly the desired set.
@Suite struct ReconcilerIncrementalTests {
    /// Objects by file, written as experiments and datasets.
    struct Files {
        var files: [String: [(kind: String, name: String, description: String)]] = [:]

        var refs: Set<String> { Set(files.values.joined().map { "\($0.kind.lowercased())/\($0.name)" }) }

        func write(to folder: URL) throws {
            let manifests = folder.appendingPathComponent("m")
            try? FileManager.default.removeItem(at: manifests)
            for (path, objects) in files where !objects.isEmpty {
                let url = manifests.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try objects.map(Self.text).joined(separator: "---\n").write(to: url, atomically: true, encoding: .utf8)
            }
        }

        static func text(_ object: (kind: String, name: String, description: String)) -> String {
            GeneratedManifests.text(experiment: object.kind == "Experiment", name: object.name, description: object.description)
        }
    }

    @Test func incrementalSyncsEndWhereAFullSyncDoes() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("repo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let git = { (arguments: [String]) async throws -> String in try await GitCLI.run(arguments, in: folder.path) }
        var state = Files()
        for index in 0..<40 {
            state.files["f\(index % 5).yaml", default: []].append(
                (index % 2 == 0 ? "Experiment" : "Dataset", "obj-\(index)", "first \(index)"))
        }
        try state.write(to: folder)
        _ = try await git(["init", "-q", "-b", "main"])
        _ = try await git(["add", "-A"])
        _ = try await git(["commit", "-q", "-m", "first"])
        let secretFile = folder.appendingPathComponent(".git/hook-secret")
        try ReconcilerTests.secret.write(to: secretFile, atomically: true, encoding: .utf8)
        // Each step: what it does to the files.
        let steps: [(String, (inout Files) -> Void)] = [
            ("edit one object", { $0.files["f1.yaml"]![2].description = "second" }),
            ("add to a new nested file", { $0.files["sub/new.yml"] = [("Experiment", "added-1", "new"), ("Dataset", "added-2", "new")] }),
            ("rename an object", { $0.files["f2.yaml"]![0].name = "renamed-0" }),
            ("delete an object", { $0.files["f3.yaml"]!.remove(at: 1) }),
            ("move an object between files", { $0.files["f0.yaml"]!.append($0.files["f4.yaml"]!.removeFirst()) }),
            ("rename a file", { $0.files["moved/f1.yaml"] = $0.files.removeValue(forKey: "f1.yaml") }),
            ("delete a file", { $0.files["f2.yaml"] = nil }),
            (
                "move and edit at once",
                {
                    var object = $0.files["sub/new.yml"]!.removeLast()
                    object.description = "moved and edited"
                    $0.files["f3.yaml"]!.insert(object, at: 0)
                }
            ),
        ]
        try await withServer { server in
            let reconciler = try await TestReconciler(
                server: server,
                arguments: [
                    "--repo", "file://" + folder.path, "--path", "m", "--name", "examples", "--interval", "1h", "--resync", "24h",
                    "--prune", "--max-deletes", "100", "--webhook-secret-file", secretFile.path,
                ])
            do {
                let first = try await git(["rev-parse", "HEAD"])
                #expect(
                    try await eventually(60) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == first },
                    "\(reconciler.logText)")
                for (what, change) in steps {
                    change(&state)
                    try state.write(to: folder)
                    _ = try await git(["add", "-A"])
                    _ = try await git(["commit", "-q", "-m", what])
                    let head = try await git(["rev-parse", "HEAD"])
                    #expect(try await ReconcilerTests.signedHook(reconciler, body: "{}").status == 202)
                    let followed = try await eventually(60) {
                        await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == head
                    }
                    #expect(followed, "\(what): \(reconciler.logText)")
                    // Incremental: far fewer objects planned than the 40 of a full sync.
                    let counts = await reconciler.source("examples")?["counts"]?.objectValue ?? []
                    let planned = counts.compactMap { $0.value.numberValue }.reduce(0, +)
                    #expect(planned > 0 && planned < 20, "\(what): \(counts)")
                    // A full plan of the same commit against the same apply set finds nothing to do.
                    let diff = try await dpctl(
                        ["diff", "-R", "-f", folder.appendingPathComponent("m").path, "--applyset", "examples", "--prune"],
                        environment: server.env)
                    #expect(diff.status == 0, "\(what): \(diff.stdout)\(diff.stderr)")
                    let members = try await server.request("GET", "/api/applysets/examples").json["members"]?.arrayValue ?? []
                    #expect(Set(members.compactMap(\.stringValue)) == state.refs, "\(what)")
                }
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }
}

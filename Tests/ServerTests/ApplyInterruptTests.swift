import Foundation
import Manifests
import TestSupport
import Testing

/// The server dies in the middle of a large apply; the rerun against a restarted server
/// converges, with every object created exactly once. One request per object (`--batch-size 0`):
/// the creates before the crash stay; in batches: the batches committed before it stay, the one
/// in flight is gone whole.
@Suite struct ApplyInterruptTests {
    @Test(arguments: [0, 500])
    func anApplyInterruptedByAServerCrashConvergesOnRerun(batchSize: Int) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("interrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let count = 2000
        let file = folder.appendingPathComponent("datasets.yaml")
        try (0..<count).map { i in
            "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: ds-\(i), labels: {batch: interrupt}}\nspec: {format: csv, owner: team@example.com}\n"
        }.joined(separator: "---\n").write(to: file, atomically: true, encoding: .utf8)
        // Batches one at a time, so that exactly one (500 objects) has committed when the insert is held.
        let arguments =
            ["apply", "-f", file.path, "--applyset", "big", "--concurrency", batchSize == 0 ? "2" : "1", "--batch-size", String(batchSize)]

        try await withServer { first in
            // The crash comes with inserts in flight: the apply stalls once `held` datasets exist.
            // A batch's own uncommitted rows count too: the second batch is held after 200 of its 500.
            let held = batchSize == 0 ? 40 : 700
            let hold = try await DatasetInsertHold(databaseURL: first.databaseURL, after: held)
            defer { hold.close() }
            let process = try Subprocess.start(try Products.path("dpctl"), arguments, environment: first.env)
            let deadline = ContinuousClock.now + .seconds(120)
            var reached = false
            while ContinuousClock.now < deadline, !reached {
                try await Task.sleep(for: .milliseconds(50))
                reached = try await hold.reached()
            }
            #expect(reached, "the apply reached the held insert")
            kill(first.process.processIdentifier, SIGKILL)
            let started = ContinuousClock.now
            // Polled, not waited for through the harness's gate of 16 waits, which may be full of
            // other tests' children and would add their time to this measure.
            while process.isRunning, ContinuousClock.now - started < .seconds(120) { try await Task.sleep(for: .milliseconds(100)) }
            _ = try? await dpctlQueue.run { process.waitUntilExit() }
            // Not one timeout per object (2,000 of them): the first unreachable write ends the apply.
            #expect(ContinuousClock.now - started < .seconds(60), "a dead server fails the apply quickly")
            #expect(process.terminationStatus == 1, "the interrupted apply must not claim success")
            // The dead server's backends are still asleep in the trigger; end them, as a restarted
            // Postgres would, and let inserts through again.
            try await hold.release(everyBackend: true)

            let restarted = try await first.restart()
            // Every page of the audit log: a list of datasets stops at 1,000 a page.
            let partial = try await restarted.auditEvents("&action=create").filter {
                $0["resource"]?.stringValue?.hasPrefix("dataset/") == true
            }.count
            let kept = batchSize == 0 ? held...held + 1 : batchSize...batchSize
            #expect(kept.contains(partial), "what committed before the crash stays, what was held is gone (\(partial) of \(count))")

            let rerun = try await dpctl(arguments, environment: restarted.env)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(rerun.stdout.split(separator: "\n").filter { $0.hasSuffix(" created") }.count == count - partial)
            let creates = try await restarted.auditEvents("&action=create").compactMap { $0["resource"]?.stringValue }.filter {
                $0.hasPrefix("dataset/")
            }
            #expect(creates.count == count, "each object created exactly once")
            #expect(Set(creates).count == count)
            let members = try await restarted.request("GET", "/api/applysets/big").json["members"]?.arrayValue ?? []
            #expect(members.count == count)
            let again = try await dpctl(arguments, environment: restarted.env)
            #expect(again.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix(" unchanged") })
            let writes = try await restarted.auditEvents().filter { $0["resource"]?.stringValue?.hasPrefix("dataset/") == true }
            #expect(writes.count == count, "the last rerun wrote nothing")
        }
    }
}

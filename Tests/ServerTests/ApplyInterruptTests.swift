import Foundation
import Manifests
import TestSupport
import Testing

/// The server dies in the middle of a large apply; the rerun against a restarted server
/// converges, with every object created exactly once.
@Suite struct ApplyInterruptTests {
    @Test func anApplyInterruptedByAServerCrashConvergesOnRerun() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("interrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let count = 2000
        let file = folder.appendingPathComponent("datasets.yaml")
        try (0..<count).map { i in
            "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: ds-\(i), labels: {batch: interrupt}}\nspec: {format: csv, owner: team@example.com}\n"
        }.joined(separator: "---\n").write(to: file, atomically: true, encoding: .utf8)
        let arguments = ["apply", "-f", file.path, "--applyset", "big", "--concurrency", "2"]

        try await withServer { first in
            // Started without waiting; killed under it once a few dozen objects exist.
            let process = try Subprocess.start(try Products.path("dpctl"), arguments, environment: first.env)
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline, try await first.auditEvents("&action=create").count < 40 {
                try await Task.sleep(for: .milliseconds(20))
            }
            kill(first.process.processIdentifier, SIGKILL)
            let started = ContinuousClock.now
            await dpctlQueue.run { process.waitUntilExit() }
            #expect(ContinuousClock.now - started < .seconds(30), "a dead server fails the apply quickly")
            #expect(process.terminationStatus == 1, "the interrupted apply must not claim success")

            let restarted = try await first.restart()
            // Every page of the audit log: a list of datasets stops at 1,000 a page.
            let partial = try await restarted.auditEvents("&action=create").filter {
                $0["resource"]?.stringValue?.hasPrefix("dataset/") == true
            }.count
            #expect(partial > 0 && partial < count, "the crash came in the middle (\(partial) of \(count))")

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

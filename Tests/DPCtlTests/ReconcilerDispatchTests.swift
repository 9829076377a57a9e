import Foundation
import TestSupport
import Testing

/// `dpctl reconcile ...` runs datapilot-reconciler with the same arguments: next to dpctl's own
/// executable (symlinks resolved), else on PATH, and says where it looked when it is in neither.
@Suite struct ReconcilerDispatchTests {
    /// A folder holding `dpctl` (a copy, or a symlink to the built one) and nothing else.
    func lonely(symlink: Bool) throws -> URL {
        let folder = try scratchFolder("dpctl-alone")
        let target = folder.appendingPathComponent("dpctl"), built = try Products.executable("dpctl")
        if symlink {
            try FileManager.default.createSymbolicLink(at: target, withDestinationURL: built)
        } else {
            try FileManager.default.copyItem(at: built, to: target)
        }
        return folder
    }

    @Test func theArgumentsAndTheExitStatusAreTheReconcilers() async throws {
        let result = try await dpctl(["reconcile", "--repo", "file:///x", "--config", "s.yaml"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("not both") && result.stderr.contains("datapilot-reconciler"), "\(result.stderr)")
        let help = try await dpctl(["reconcile", "--help"])
        #expect(
            help.status == 0 && help.stdout.contains("USAGE: datapilot-reconciler") && help.stdout.contains("--database-url"),
            "\(help.stdout)")
    }

    @Test func aSymlinkedDpctlFindsTheReconcilerNextToTheRealOne() throws {
        let folder = try lonely(symlink: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Subprocess.run(
            folder.appendingPathComponent("dpctl").path, ["reconcile", "--help"], environment: ["PATH": folder.path])
        #expect(result.status == 0 && result.stdout.contains("USAGE: datapilot-reconciler"), "\(result.stderr)")
    }

    @Test func aDpctlAloneFindsTheReconcilerOnPath() throws {
        let folder = try lonely(symlink: false)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dpctl = folder.appendingPathComponent("dpctl").path
        let products = try Products.executable("datapilot-reconciler").deletingLastPathComponent().path
        let found = try Subprocess.run(dpctl, ["reconcile", "--help"], environment: ["PATH": "/nonexistent:" + products])
        #expect(found.status == 0 && found.stdout.contains("USAGE: datapilot-reconciler"), "\(found.stderr)")

        let missing = try Subprocess.run(dpctl, ["reconcile", "--once", "--repo", "file:///x"], environment: ["PATH": "/nonexistent"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("dpctl reconcile runs datapilot-reconciler, which was not found"), "\(missing.stderr)")
        #expect(
            missing.stderr.contains(folder.path + "/datapilot-reconciler") && missing.stderr.contains("on PATH (/nonexistent)"),
            "\(missing.stderr)")
        // Every other command works without it.
        #expect(try Subprocess.run(dpctl, ["version"], environment: ["PATH": "/nonexistent"]).status == 0)
    }
}

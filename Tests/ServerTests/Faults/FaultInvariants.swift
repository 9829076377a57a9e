import Foundation
import Manifests
import TestSupport
import Testing

/// What every fault test checks once the fault is over (issue 21): the source applied the
/// remote's head, every object matches git (a full `dpctl diff --prune` against the apply set
/// finds nothing), no object was created twice, and the audit chain verifies.
struct FaultInvariants {
    let server: TestServer
    let reconciler: TestReconciler
    let source: String
    /// The manifests' folder in a work tree of the commit expected to be applied.
    let manifests: URL

    func expectConverged(to commit: String, within seconds: Double = 60, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let applied = try await eventually(seconds) {
            await reconciler.source(source)?["lastAppliedCommit"]?.stringValue == commit
        }
        let status = await reconciler.source(source)
        #expect(
            applied, "the source applied \(commit): \(String(describing: status))\n\(reconciler.logText.suffix(3000))",
            sourceLocation: sourceLocation)
        let diff = try await dpctl(
            ["diff", "-R", "-f", manifests.path, "--applyset", source, "--prune"], environment: server.env)
        #expect(diff.status == 0, "objects differ from git: \(diff.stdout)\(diff.stderr)", sourceLocation: sourceLocation)
        let creates = try await server.auditEvents("&action=create").compactMap { $0["resource"]?.stringValue }
        #expect(Set(creates).count == creates.count, "an object was created twice: \(creates.sorted())", sourceLocation: sourceLocation)
        let verified = try await server.request("GET", "/api/audit/verify")
        #expect(verified.json["valid"]?.boolValue == true, "the audit chain: \(verified.text)", sourceLocation: sourceLocation)
    }
}

import Foundation
import TestSupport
import Testing

/// The harness under the Postgres fault suite. Foundation notices that a child ended when the
/// socket it gave the child reads end-of-file, and then waits for that child (`waitpid`) on
/// the one thread that notices every child's end. A script that closed that socket in its own
/// shell held that thread for as long as it ran: no other child of the test process was seen
/// to end meanwhile, and beside the Postgres fault suite (pg_start, pg_ctl stop and start, many
/// seconds each on a loaded machine) every fault suite ran out of time.
@Suite struct PrivateClusterShellTests {
    @Test func aLongScriptDoesNotHoldUpOtherChildrensEnds() async throws {
        let folder = try scratchFolder("cluster-shell")
        defer { try? FileManager.default.removeItem(at: folder) }
        let started = folder.appendingPathComponent("started").path
        let finished = folder.appendingPathComponent("finished").path
        async let script = PrivateCluster.shell(#"touch "$1"; sleep 30; touch "$2""#, started, finished)
        let running = try await eventually(60) { FileManager.default.fileExists(atPath: started) }
        try #require(running, "the script started")
        // A quick child meanwhile: its end is seen while the script still sleeps.
        let quick = try await Subprocess.run("true", [])
        #expect(quick.status == 0)
        #expect(!FileManager.default.fileExists(atPath: finished), "`true` was seen to end only after the 30 s script did")
        _ = try await script
        #expect(FileManager.default.fileExists(atPath: finished))
    }
}

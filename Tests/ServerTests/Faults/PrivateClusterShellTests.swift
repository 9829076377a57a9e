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
        let go = folder.appendingPathComponent("go").path
        // The script runs until told to go: by the test once `true` was seen to end, or after
        // two minutes (had `true` waited for the script, the test would otherwise never end).
        let script = Task {
            try await PrivateCluster.shell(#"touch "$1"; while [ ! -e "$3" ]; do sleep 0.1; done; touch "$2""#, started, finished, go)
        }
        let running = try await eventually(120) { FileManager.default.fileExists(atPath: started) }
        try #require(running, "the script started")
        let fallback = Task {
            try? await Task.sleep(for: .seconds(120))
            _ = FileManager.default.createFile(atPath: go, contents: nil)
        }
        let quick = try await Subprocess.run("true", [])
        let scriptEnded = FileManager.default.fileExists(atPath: finished)
        fallback.cancel()
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        _ = try await script.value
        #expect(quick.status == 0)
        #expect(!scriptEnded, "`true` was seen to end only once the script had")
        #expect(FileManager.default.fileExists(atPath: finished))
    }
}

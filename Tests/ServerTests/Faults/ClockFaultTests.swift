import Foundation
import Manifests
import TestSupport
import Testing

/// The wall clock jumping back and forward (an NTP step), on the database's clock: the one the
/// replicas share (see `DatabaseClock` for why not the Swift processes' own). Leases are
/// advisory locks (no time in them), the loops wait on monotonic clocks; what is left to break
/// is anything that orders events by the database's timestamps.
@Suite(.timeLimit(.minutes(4))) struct ClockFaultTests {
    /// Two replicas, a "sync now" asked of the one that does not hold the source (forwarded
    /// through Postgres), before and after the database's clock jumps two hours back and then
    /// three forward: each forwarded sync is applied at once (the interval is an hour), the
    /// holder keeps its lease through both jumps, and the source converges.
    @Test func forwardedSyncsAndLeasesSurviveTheDatabaseClockJumpingBackAndForward() async throws {
        try await DatabaseClock.with { clock in
            let repository = try await TestRepository.examples()
            defer { repository.remove() }
            try await withServer(cluster: clock.cluster.url) { server in
                let config = repository.folder.appendingPathComponent(".git/sources.yaml")
                try "sources:\n  - {name: examples, url: \"\(repository.url)\", ref: refs/heads/main, path: examples, interval: 1h}\n"
                    .write(to: config, atomically: true, encoding: .utf8)
                let a = try await TestReconciler(server: server, arguments: ["--config", config.path])
                let b = try await TestReconciler(server: server, arguments: ["--config", config.path])
                try await stopping(a, b) {
                    let first = try await repository.git("rev-parse", "HEAD")
                    #expect(try await eventually(60) { await a.source("examples")?["lastAppliedCommit"]?.stringValue == first })
                    let holders = [a, b].filter { $0.logText.contains("holding source") }
                    try #require(holders.count == 1, "A:\n\(a.logText)\nB:\n\(b.logText)")
                    let (holder, other) = holders[0] === a ? (a, b) : (b, a)
                    let owner = try #require(await holder.source("examples")?["owner"]?.stringValue)
                    let editor = try await server.key(role: "editor")

                    /// A commit and a "sync now" asked of the other replica: applied without waiting an interval.
                    func forwardedSync(_ owner: String, _ message: String) async throws -> String {
                        try edit(repository.file("examples/datasets/churn.yaml"), "owner: \(owner)", "owner: \(message)@example.com")
                        let commit = try await repository.commit(message)
                        let response = try await other.post(
                            "/sources/examples/sync", body: [], headers: [("Authorization", "Bearer \(editor)")])
                        #expect(response.status == 202 && response.json["forwarded"] == true, "\(response.text)")
                        let applied = try await eventually(45) {
                            await holder.source("examples")?["lastAppliedCommit"]?.stringValue == commit
                        }
                        #expect(applied, "\(message): the holder applied \(commit)\nholder:\n\(holder.logText.suffix(3000))")
                        return commit
                    }
                    _ = try await forwardedSync("growth-analytics@example.com", "before")

                    try clock.set("-2h")
                    let behind = try await clock.skew()
                    #expect(abs(behind + 7200) < 60, "the database's clock is two hours behind: \(behind) s")
                    _ = try await forwardedSync("before@example.com", "behind")

                    try clock.set("+1h")
                    let ahead = try await clock.skew()
                    #expect(abs(ahead - 3600) < 60, "the database's clock is an hour ahead: \(ahead) s")
                    let last = try await forwardedSync("behind@example.com", "ahead")

                    // The lease never moved: the same owner, the other replica never held the source.
                    #expect(await holder.source("examples")?["owner"]?.stringValue == owner)
                    #expect(!other.logText.contains("holding source"), "the other replica took the source:\n\(other.logText)")
                    #expect(!holder.logText.contains("lost the lease"), "\(holder.logText.suffix(3000))")
                    #expect(try await ReplicaFaultTests.owned(holder) == 1)
                    #expect(try await ReplicaFaultTests.owned(other) == 0)
                    try await FaultInvariants(
                        server: server, reconciler: holder, source: "examples", manifests: repository.file("examples")
                    )
                    .expectConverged(to: last)
                }
            }
        }
    }

    /// A running run that keeps its heartbeat (every second, as an executor does well inside the
    /// timeout) stays RUNNING through the database's clock stepping two hours back; the reaper
    /// keeps working meanwhile (a silent run started after the step is marked LOST). Heartbeats
    /// and the reaper both read Postgres's `now()`, so the step moves both alike.
    @Test func noRunIsMarkedLostByTheDatabaseClockSteppingBack() async throws {
        try await DatabaseClock.with { clock in
            try await withServer(environment: ["DATAPILOT_RUN_HEARTBEAT_TIMEOUT_SECONDS": "20"], cluster: clock.cluster.url) { server in
                let runs = RunTests()
                try await runs.setUp(server)
                for name in ["alive", "quiet"] { _ = try await runs.newRun(server, #"{"name": "\#(name)"}"#) }
                let started = try await server.request("PUT", "/api/experiment-runs/alive/state", json: #"{"state": "RUNNING"}"#)
                #expect(started.status == 200, "\(started.text)")
                let heartbeats = Task {
                    var refused: [Int] = []
                    while !Task.isCancelled {
                        let status = (try? await server.request("POST", "/api/experiment-runs/alive/heartbeat").status) ?? 0
                        if status != 204 { refused.append(status) }
                        try? await Task.sleep(for: .seconds(1))
                    }
                    return refused
                }
                try clock.set("-2h")
                let behind = try await clock.skew()
                #expect(abs(behind + 7200) < 60, "the database's clock is two hours behind: \(behind) s")
                #expect(try await server.request("PUT", "/api/experiment-runs/quiet/state", json: #"{"state": "RUNNING"}"#).status == 200)
                // The reaper ran for a whole timeout on the stepped clock: the silent run is lost...
                let reaped = try await eventually(120) { try await runs.state(server, "quiet") == "LOST" }
                #expect(reaped, "the silent run started after the step is marked LOST")
                // ...and the one with a heartbeat is not.
                #expect(try await runs.state(server, "alive") == "RUNNING")
                heartbeats.cancel()
                let refused = await heartbeats.value
                #expect(refused.isEmpty, "heartbeats answered \(refused)")
                let done = try await server.request(
                    "PUT", "/api/experiment-runs/alive/state", json: #"{"state": "SUCCEEDED", "exitCode": 0}"#)
                #expect(done.json["status"]?["state"]?.stringValue == "SUCCEEDED", "\(done.text)")
                let verified = try await server.request("GET", "/api/audit/verify")
                #expect(verified.json["valid"]?.boolValue == true, "the audit chain: \(verified.text)")
            }
        }
    }

    /// The database's clock stepped an hour forward between two heartbeats of a live run (6 s
    /// apart, within the 20 s timeout): the run's last heartbeat now looks an hour old, but the
    /// reaper sees the step (the database's clock ran far ahead of its own monotonic one) and
    /// reaps nothing for a timeout, by when the heartbeats have caught up. A silent run started
    /// after the step is still lost.
    @Test func noRunIsMarkedLostByTheDatabaseClockSteppingForward() async throws {
        try await DatabaseClock.with { clock in
            try await withServer(environment: ["DATAPILOT_RUN_HEARTBEAT_TIMEOUT_SECONDS": "20"], cluster: clock.cluster.url) { server in
                let runs = RunTests()
                try await runs.setUp(server)
                for name in ["alive", "quiet"] { _ = try await runs.newRun(server, #"{"name": "\#(name)"}"#) }
                #expect(try await server.request("PUT", "/api/experiment-runs/alive/state", json: #"{"state": "RUNNING"}"#).status == 200)
                func beat() async throws { #expect(try await server.request("POST", "/api/experiment-runs/alive/heartbeat").status == 204) }
                try await beat()
                try clock.set("+1h")
                let ahead = try await clock.skew()
                #expect(abs(ahead - 3600) < 60, "the database's clock is an hour ahead: \(ahead) s")
                // More than one reaper pass (every 5 s at this timeout) before the next heartbeat.
                try await Task.sleep(for: .seconds(6))
                try await beat()
                let heartbeats = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        _ = try? await server.request("POST", "/api/experiment-runs/alive/heartbeat")
                    }
                }
                defer { heartbeats.cancel() }
                #expect(try await server.request("PUT", "/api/experiment-runs/quiet/state", json: #"{"state": "RUNNING"}"#).status == 200)
                let reaped = try await eventually(120) { try await runs.state(server, "quiet") == "LOST" }
                #expect(reaped, "the silent run started after the step is marked LOST")
                #expect(try await runs.state(server, "alive") == "RUNNING")
                let log = (try? String(contentsOf: server.logFile, encoding: .utf8)) ?? ""
                #expect(log.contains("the database's clock stepped forward"), "the reaper says why it waits")
            }
        }
    }

    /// The bootstrap admin key replaced while the database's clock ran two hours ahead of the
    /// server's, then set right (an NTP step back): the old key's tokens stay refused, and a
    /// token made from the new key works at once. It was refused for those two hours: the gateway
    /// compared the token's issue time (the server's clock) with the replacement's (the database's).
    @Test func aReplacedKeysNewTokensWorkWhateverTheDatabaseClockSaid() async throws {
        try await DatabaseClock.with { clock in
            let signing = [
                "DATAPILOT_TOKEN_SIGNING_KEYS": "clock-test " + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            ]
            try await withServer(environment: signing, cluster: clock.cluster.url) { first in
                let token = try await first.request("POST", "/auth/token").json["access_token"]?.stringValue ?? ""
                #expect(try await first.request("GET", "/api/datasets", key: token).status == 200)
                first.stop()
                try clock.set("+2h")
                let replaced = "replaced-admin-key-\(UUID().uuidString.prefix(8))"
                let second = try await first.sibling(environment: signing.merging(["DATAPILOT_BOOTSTRAP_ADMIN_KEY": replaced]) { $1 })
                try clock.set("+0")
                let old = try await second.request("GET", "/api/datasets", key: token)
                #expect(old.status == 401 && old.json["detail"]?.stringValue?.contains("was replaced") == true, "\(old.text)")
                let fresh = try await second.request("POST", "/auth/token", key: replaced).json["access_token"]?.stringValue ?? ""
                let used = try await second.request("GET", "/api/datasets", key: fresh)
                #expect(used.status == 200, "the new key's token: \(used.status) \(used.text)")
            }
        }
    }
}

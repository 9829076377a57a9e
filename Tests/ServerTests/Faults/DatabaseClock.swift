import Foundation
import TestSupport

/// A private cluster whose wall clock the test moves: the postmaster and every backend run under
/// Debian's libfaketime and read their offset from a file (read again on every call), so the
/// database's `now()` jumps forward and back while every other process keeps the machine's time.
/// Only CLOCK_REALTIME moves, as with an NTP step; the monotonic clocks do not.
///
/// Why the database's clock and not the Swift processes': libfaketime 0.9.10 also shifts the
/// absolute monotonic timers it intercepts (`timerfd_settime`), so under it every `Task.sleep`
/// of a Swift process waits for the offset as well (a -2h offset parks it for two hours), and
/// preloaded without its launcher's shared memory it hides `CommandLine.arguments`. The
/// reconciler and the server time their loops with monotonic clocks only (`ContinuousClock`,
/// `Task.sleep`); what reads a wall clock that matters to several replicas (heartbeats, the
/// reaper, poll requests, key expiry) reads Postgres's.
struct DatabaseClock: Sendable {
    let cluster: PrivateCluster
    /// The offset's file (`+0`, `-2h`, `+1d`, ...).
    let file: URL

    /// Starts a private cluster, then restarts it under libfaketime at offset `+0`.
    static func start() async throws -> DatabaseClock {
        let library = try library()
        let cluster = try await PrivateCluster.start()
        let file = URL(fileURLWithPath: cluster.folder).appendingPathComponent("clock-offset")
        let clock = DatabaseClock(cluster: cluster, file: file)
        do {
            try clock.set("+0")
            try await cluster.halt()
            // `$LIB` is the dynamic loader's own (x86_64-linux-gnu, aarch64-linux-gnu, ...).
            try await cluster.resume(environment: [
                "LD_PRELOAD": "/usr/$LIB/faketime/\(library)", "FAKETIME_TIMESTAMP_FILE": file.path, "FAKETIME_NO_CACHE": "1",
                "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            ])
        } catch {
            await cluster.remove()
            throw error
        }
        return clock
    }

    /// The library's file name, once checked to be installed (scripts/lib/packages.sh installs it).
    static func library() throws -> String {
        let name = "libfaketime.so.1"
        let lib = URL(fileURLWithPath: "/usr/lib")
        let folders =
            ((try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []).map { lib.appendingPathComponent($0) } + [lib]
        guard folders.contains(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("faketime/\(name)").path) })
        else {
            throw SetupError(.peerDidNotStart, "no faketime/\(name) under /usr/lib: install Debian's libfaketime (scripts/lib/packages.sh)")
        }
        return name
    }

    /// Runs `body` with a clock of its own, removing its cluster afterwards, thrown or not.
    static func with(_ body: (DatabaseClock) async throws -> Void) async throws {
        let clock = try await start()
        do {
            try await body(clock)
        } catch {
            await clock.cluster.remove()
            throw error
        }
        await clock.cluster.remove()
    }

    /// Moves the database's wall clock to `offset` from the machine's (a jump, from the next call on).
    func set(_ offset: String) throws {
        try (offset + "\n").write(to: file, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
    }

    /// The database's `clock_timestamp()` minus this process's clock, in seconds.
    func skew() async throws -> Double {
        let printed = try await PrivateCluster.shell(
            #""$(pg_bindir)/psql" "$1" -Atc "select extract(epoch from clock_timestamp())""#, cluster.url)
        guard let database = Double(printed.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw SetupError(.commandFailed, "psql printed \(printed)")
        }
        return database - Date().timeIntervalSince1970
    }
}

import Foundation
import TestSupport

/// A Postgres cluster of one test's own, made by scripts/lib/postgres.sh's `pg_start`, that the
/// test may stop and start again (on the same port and data) without disturbing the suites
/// that share the run's cluster.
struct PrivateCluster: Sendable {
    /// The cluster's folder (`data/`, the socket, `server.log`).
    let folder: String
    let port: Int

    /// Its `datapilot_test` database, as `DATAPILOT_TEST_DATABASE_URL` names the shared one's.
    var url: String { "postgres://datapilot@127.0.0.1:\(port)/datapilot_test" }

    static func start() async throws -> PrivateCluster {
        let printed = try await shell(#"pg_start >/dev/null && echo "$DATAPILOT_PG_DIR $DATAPILOT_PG_PORT""#)
        let parts = printed.split(separator: " ")
        guard parts.count == 2, let port = Int(parts[1]) else {
            throw SetupError(.peerDidNotStart, "pg_start printed \(printed)")
        }
        return PrivateCluster(folder: String(parts[0]), port: port)
    }

    /// A fast shutdown, as an operator's restart does: every session is ended, open
    /// transactions roll back, nothing is accepted until `resume()`.
    func halt() async throws {
        try await Self.shell(#"pg_as_owner "$(pg_bindir)/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null"#, folder)
    }

    /// Starts it again on the same port, with pg_start's settings; `environment` is the
    /// postmaster's (and so every backend's) on top of this process's.
    func resume(environment: [String: String] = [:]) async throws {
        let variables = environment.sorted { $0.key < $1.key }.map { "'\($0.key)=\($0.value)'" }.joined(separator: " ")
        try await Self.shell(
            #"pg_as_owner env "# + variables + #" "$(pg_bindir)/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 "#
                + #"-o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=1000" start >/dev/null"#,
            folder, String(port))
    }

    /// Stops it and removes its folder.
    func remove() async {
        _ = try? await Self.shell(#"DATAPILOT_PG_DIR="$1" pg_stop"#, folder)
    }

    /// Runs `script` in bash after sourcing scripts/lib/postgres.sh; `arguments` are $1, $2...
    ///
    /// Foundation learns that a child ended when every copy of a socket it gave the child is
    /// closed, and then waits for that child on the one thread that notices every child's end.
    /// So the script runs in a subshell that closes descriptors above 2 first (a postmaster
    /// started there keeps no copy for its whole life), while bash itself keeps its copy until
    /// it exits: had bash closed it, that thread would wait for bash as long as the script ran,
    /// and no other child's end would be seen meanwhile (PrivateClusterShellTests).
    @discardableResult
    static func shell(_ script: String, _ arguments: String...) async throws -> String {
        let library = repositoryRoot.appendingPathComponent("scripts/lib/postgres.sh").path
        let closing = #"for fd in /proc/$BASHPID/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null; "#
        return try await Subprocess.check(
            "bash", ["-c", "(" + closing + "source \"\(library)\" && " + script + ")", "cluster"] + arguments)
    }
}

import Foundation

/// `git daemon` exporting every repository under a folder, read-only, on loopback: started on a
/// free port, or on a given one (a fault test stops it and starts it again where the client
/// expects it).
public enum GitDaemon {
    public static func start(base: String, port: Int? = nil) throws -> Peer {
        let port = try port ?? Loopback.freePort()
        return try Peer(
            "git daemon", "/usr/lib/git-core/git-daemon",
            ["--reuseaddr", "--export-all", "--base-path=\(base)", "--listen=127.0.0.1", "--port=\(port)", base],
            environment: GitCLI.environment, ready: .listens(on: port))
    }
}

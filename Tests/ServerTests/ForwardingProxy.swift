import Foundation
import TestSupport

/// A TCP proxy on a fixed loopback port that forwards each new connection to the port written
/// in a file, read per connection: a client keeps one address while the server behind it dies
/// and comes back elsewhere. A connection to a dead target is closed at once.
struct ForwardingProxy {
    let peer: Peer
    let targetFile: URL

    static let script = #"""
        import socket, sys, threading
        target_file = sys.argv[1]
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(256)
        print(listener.getsockname()[1], flush=True)

        def pipe(source, sink):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    sink.sendall(data)
            except OSError:
                pass
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        def handle(client):
            try:
                upstream = socket.create_connection(("127.0.0.1", int(open(target_file).read().strip())), timeout=5)
                upstream.settimeout(None)
            except (OSError, ValueError):
                client.close()
                return
            threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()

        def serve():
            while True:
                client, _ = listener.accept()
                threading.Thread(target=handle, args=(client,), daemon=True).start()

        threading.Thread(target=serve, daemon=True).start()
        sys.stdin.read()
        """#

    static func start(to port: Int) async throws -> ForwardingProxy {
        let targetFile = FileManager.default.temporaryDirectory.appendingPathComponent("proxy-target-\(UUID().uuidString)")
        try String(port).write(to: targetFile, atomically: true, encoding: .utf8)
        return ForwardingProxy(peer: try await Peer.python("forwarding proxy", script, [targetFile.path]), targetFile: targetFile)
    }

    var endpoint: String { peer.endpoint }

    func forward(to port: Int) throws { try String(port).write(to: targetFile, atomically: true, encoding: .utf8) }

    func stop() {
        peer.stop()
        try? FileManager.default.removeItem(at: targetFile)
    }
}

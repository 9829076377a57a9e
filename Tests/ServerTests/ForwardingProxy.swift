import Foundation
import TestSupport

/// A TCP proxy on a fixed loopback port that forwards each new connection to the port written
/// in a file, read per connection: a client keeps one address while the server behind it dies
/// and comes back elsewhere. A connection to a dead target is closed at once.
///
/// For the network fault tests it can also stall (accept, never answer) or drop answers
/// (forward everything, but cut the answer to each POST after half its first bytes and close
/// the connection: the server did the write, the client never learns it). A change of mode closes every connection open before it, as a
/// network change does, so a client's kept-alive connections cannot outlive the fault.
struct ForwardingProxy {
    let peer: Peer
    let targetFile: URL

    static let script = #"""
        import socket, sys, threading, time
        target_file = sys.argv[1]
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(256)
        print(listener.getsockname()[1], flush=True)
        lock = threading.Lock()
        live = set()
        writes = (b"POST",)

        def close(*ends):
            for end in ends:
                with lock:
                    live.discard(end)
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        class Link:
            cut = False

        def requests(client, upstream, link, dropping):
            try:
                while True:
                    data = client.recv(65536)
                    if not data:
                        break
                    if dropping and data.split(b" ", 1)[0] in writes:
                        link.cut = True
                    upstream.sendall(data)
            except OSError:
                pass
            close(client, upstream)

        def answers(upstream, client, link):
            try:
                while True:
                    data = upstream.recv(65536)
                    if not data:
                        break
                    if link.cut:
                        client.sendall(data[: max(1, len(data) // 2)])
                        break
                    client.sendall(data)
            except OSError:
                pass
            close(client, upstream)

        def handle(client):
            with lock:
                live.add(client)
            try:
                mode = open(target_file).read().split()
                if mode[0] == "stall":
                    return
                upstream = socket.create_connection(("127.0.0.1", int(mode[-1])), timeout=5)
                upstream.settimeout(None)
            except (OSError, ValueError, IndexError):
                close(client)
                return
            with lock:
                live.add(upstream)
            link = Link()
            threading.Thread(target=requests, args=(client, upstream, link, mode[0] == "drop"), daemon=True).start()
            threading.Thread(target=answers, args=(upstream, client, link), daemon=True).start()

        def serve():
            while True:
                client, _ = listener.accept()
                threading.Thread(target=handle, args=(client,), daemon=True).start()

        def watch():
            last = open(target_file).read()
            while True:
                time.sleep(0.05)
                try:
                    now = open(target_file).read()
                except OSError:
                    continue
                if now != last:
                    last = now
                    with lock:
                        ends = list(live)
                    close(*ends)

        threading.Thread(target=serve, daemon=True).start()
        threading.Thread(target=watch, daemon=True).start()
        sys.stdin.read()
        """#

    static func start(to port: Int) async throws -> ForwardingProxy {
        let targetFile = FileManager.default.temporaryDirectory.appendingPathComponent("proxy-target-\(UUID().uuidString)")
        try String(port).write(to: targetFile, atomically: true, encoding: .utf8)
        return ForwardingProxy(peer: try await Peer.python("forwarding proxy", script, [targetFile.path]), targetFile: targetFile)
    }

    var endpoint: String { peer.endpoint }

    func forward(to port: Int) throws { try String(port).write(to: targetFile, atomically: true, encoding: .utf8) }

    /// New connections are accepted and never answered; open ones are closed.
    func stall() throws { try "stall".write(to: targetFile, atomically: true, encoding: .utf8) }

    /// New connections go to `port`, each POST's answer cut midway; open ones are closed.
    func dropPostAnswers(to port: Int) throws { try "drop \(port)".write(to: targetFile, atomically: true, encoding: .utf8) }

    func stop() {
        peer.stop()
        try? FileManager.default.removeItem(at: targetFile)
    }
}

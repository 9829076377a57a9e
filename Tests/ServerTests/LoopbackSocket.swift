import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
    import TestSupport
#endif

/// A raw TCP connection to a test server on loopback, for what curl will not send: a request
/// line dribbled a byte at a time, a body that never arrives, a huge declared length.
final class LoopbackSocket: Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SetupError(.peerDidNotStart, "socket() failed: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw SetupError(.peerDidNotStart, "cannot connect to 127.0.0.1:\(port): \(reason)")
        }
    }

    deinit { Glibc.close(fd) }

    /// Sends all of `text`; false once the peer closed or reset the connection (never SIGPIPE).
    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// What arrives within `seconds`, read until `done` says enough or the peer closes.
    func receive(within seconds: Double, until done: (String) -> Bool = { _ in false }) -> String {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000)))
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
            if done(String(decoding: received, as: UTF8.self)) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Reads and counts what arrives within `seconds`; whether the peer closed (end of stream or reset).
    func drain(within seconds: Double) -> (bytes: Int, closed: Bool) {
        var total = 0
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return (total, true) }
            total += count
        }
        return (total, false)
    }

    /// Whether the server has closed this connection (end of stream or reset); any answer it
    /// sent first is read and dropped. Does not wait.
    var isClosedByPeer: Bool {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { continue }
            if count == 0 { return true }
            if errno == EINTR { continue }
            return errno != EAGAIN && errno != EWOULDBLOCK
        }
    }

    /// Sends `total` bytes of filler from another thread, as fast as the server reads them,
    /// until done, stopped, or the server closes; the filler is made as it goes, never held whole.
    func stream(bytes total: Int, chunked: Bool = false) -> Streamer {
        let streamer = Streamer()
        let thread = Thread { [self] in
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
            let framed = chunked ? Array("\(String(chunk.count, radix: 16))\r\n".utf8) + chunk + Array("\r\n".utf8) : chunk
            var sent = 0
            while sent < total, !streamer.stopped.load(ordering: .relaxed), send(framed) {
                sent += chunk.count
                streamer.sent.store(sent, ordering: .relaxed)
            }
            streamer.finished.store(true, ordering: .releasing)
        }
        thread.start()
        return streamer
    }

    final class Streamer: Sendable {
        let sent = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)
        let finished = Atomic<Bool>(false)
        func stop() { stopped.store(true, ordering: .relaxed) }
    }
}

/// Raises this process's open-file limit to its hard limit (the tests hold a thousand sockets).
func raiseOpenFileLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

/// The files spooled under a data folder's `spool/`, in every process's folder (their `.lock`s left out).
func spoolFiles(in data: URL) -> [String] {
    let spool = data.appendingPathComponent("spool")
    return files(in: spool).flatMap { entry -> [String] in
        let folder = spool.appendingPathComponent(entry)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else { return [entry] }
        return files(in: folder).filter { $0 != ".lock" }.map { "\(entry)/\($0)" }
    }
}

/// The files in a folder (none when it does not exist).
func files(in directory: URL) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
}

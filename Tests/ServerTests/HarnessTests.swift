import Foundation
import TestSupport
import Testing

/// The harness itself: children started at once from many tasks each hold only their own end of
/// Foundation's exit-watch socket. One that held another child's end kept that child "running"
/// (never reaped) for its own whole life, and the run hung (session 9).
@Suite struct HarnessTests {
    @Test func childrenStartedAtOnceInheritNoOtherChildsWatchSocket() async throws {
        // Descriptors open, as in a full run (Foundation walks them all at each spawn, which widens
        // the window)... but not a thousand: Foundation reads /proc/self/fd copying each entry's
        // full 256-byte name, and with about a thousand entries the last one can sit at the end of
        // a mapping; a full run crashed so once (a page-aligned bad read in memcpy in Process.run).
        let open = (0..<300).compactMap { _ in FileHandle(forReadingAtPath: "/dev/null") }
        defer { for handle in open { try? handle.close() } }
        // ...and 48 threads, released together, each starting two children.
        let started = Started()
        let gate = DispatchGroup()
        gate.enter()
        var threads: [Thread] = []
        for _ in 0..<48 {
            let thread = Thread {
                gate.wait()
                for _ in 0..<2 { started.add(Result { try Subprocess.start("sleep", ["60"]) }) }
            }
            thread.start()
            threads.append(thread)
        }
        gate.leave()
        let all = try #require(await started.all(96))
        let children = try all.map { try $0.get() }
        defer { for child in children { Subprocess.stop(child) } }
        var held: [Int32: Int] = [:]
        for child in children {
            let pid = child.processIdentifier
            let folder = "/proc/\(pid)/fd"
            let sockets = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + $0))?.hasPrefix("socket:") == true
            }
            held[pid] = sockets.count
        }
        #expect(held.values.allSatisfy { $0 == 1 }, "sockets held per child: \(held.filter { $0.value != 1 })")
    }
}

/// What the starting threads made, collected under a lock.
final class Started: @unchecked Sendable {
    let lock = NSLock()
    var results: [Result<Process, any Error>] = []

    func add(_ result: Result<Process, any Error>) { lock.withLock { results.append(result) } }

    /// The results once `count` are in (nil after a minute).
    func all(_ count: Int) async -> [Result<Process, any Error>]? {
        for _ in 0..<600 {
            if let done = lock.withLock({ results.count >= count ? results : nil }) { return done }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}

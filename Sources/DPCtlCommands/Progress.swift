import CLIKit
import Foundation
import Synchronization

/// `applying 120/10000` on standard error, rewritten in place, only on a terminal and only for
/// work big enough to wait for.
final class Progress: Sendable {
    let verb: String
    let enabled: Bool
    let last = Mutex<Date>(.distantPast)

    init(verb: String) {
        self.verb = verb
        enabled = isatty(2) == 1
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total >= 20 else { return }
        let now = Date()
        let due = last.withLock { last -> Bool in
            guard now.timeIntervalSince(last) > 0.1 || done == total else { return false }
            last = now
            return true
        }
        if due { Terminal.standardError.write("\r\(verb) \(done)/\(total)") }
    }

    func finish() {
        if enabled { Terminal.standardError.write("\r\u{1B}[K") }
    }
}

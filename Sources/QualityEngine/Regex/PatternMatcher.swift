import Foundation

/// A regex check's matcher: the byte DFA for the patterns it supports (nearly all real ones),
/// NSRegularExpression for the rest (backreferences, lookaround, `\b`, `\p{...}`, inline flags,
/// non-ASCII classes), so a pattern `dpctl validate` accepts is never refused here.
final class PatternMatcher {
    enum Engine: String { case dfa, icu }

    private let dfa: ByteDFA?
    private let icu: NSRegularExpression?
    let engine: Engine

    /// Throws the compile error's text when the pattern is not a regular expression at all.
    init(pattern: String) throws {
        if let dfa = try? ByteDFA(pattern: pattern) {
            // The DFA also takes some patterns ICU refuses (e.g. a stray ')'-free "{"); ICU decides
            // what is valid, so compile it there too.
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                throw RegexCompileError(message: "\"\(pattern)\" is not a valid regular expression")
            }
            self.dfa = dfa
            self.icu = nil
            engine = .dfa
        } else {
            do {
                icu = try NSRegularExpression(pattern: pattern)
            } catch {
                throw RegexCompileError(message: "\"\(pattern)\" is not a valid regular expression")
            }
            dfa = nil
            engine = .icu
        }
    }

    /// Whether the pattern matches somewhere in the (valid UTF-8) bytes.
    func matches(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if let dfa { return dfa.matches(p, n) }
        guard let icu else { return false }
        let text = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        return icu.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

struct RegexCompileError: Error {
    var message: String
}

import Foundation
import Testing

@testable import QualityEngine

/// The byte DFA must agree with ICU (NSRegularExpression, what `dpctl validate` compiles
/// patterns with) on every pattern it accepts.
@Suite struct RegexTests {
    static let patterns = [
        "^C[0-9]{6}$", "^[^@ ]+@[^@ ]+\\.[a-z]+$", "^T-[0-9]{4}-[0-9]{2}-[0-9]{5}$", "abc", "a|b$", "^(ab|cd)+$", "colou?r",
        "^\\d{2,3}$", "\\w+\\s\\w+", "^.{3}$", "^[A-Za-z_][A-Za-z0-9_-]*$", "x*", "^a.*?b$", "[\\-\\]]", "^$", "a{2,}",
        "^\\S+$", "^[^a-z]+$", "(?:foo|bar)baz", "\\.", "^(a|ab)(c|bcd)$", "^é+$", "^\\x41", "a{0,2}b",
    ]
    static let inputs = [
        "C123456", "C1234567", "c123456", "bob@example.org", "bob at example.org", "a@b.c", "T-2026-10-00001",
        "abc", "xxabcxx", "b", "ab", "abcd", "color", "colour", "12", "1234", "hello world", "é😀x", "abé",
        "", "foobaz", "barbaz", "-", "]", "aab", "abcd", "AB", "x\n", "abc\n", "éé", "ééa", "A1",
    ]

    @Test(arguments: patterns)
    func dfaAgreesWithICU(_ pattern: String) throws {
        let dfa = try ByteDFA(pattern: pattern)
        let icu = try NSRegularExpression(pattern: pattern)
        for input in Self.inputs {
            var bytes = Array(input.utf8)
            let ours = bytes.withUnsafeMutableBufferPointer {
                dfa.matches(UnsafePointer($0.baseAddress ?? UnsafeMutablePointer(mutating: Cell.emptyPointer)), $0.count)
            }
            let theirs = icu.firstMatch(in: input, range: NSRange(input.startIndex..., in: input)) != nil
            #expect(ours == theirs, "\(pattern) on \(input.debugDescription): dfa \(ours), ICU \(theirs)")
        }
    }

    @Test func unsupportedSyntaxFallsBackToICU() throws {
        for pattern in ["\\bword\\b", "(a)\\1", "(?i)abc", "a(?=b)", "\\p{L}+", "[[:alpha:]]", "[é]"] {
            #expect(throws: RegexUnsupported.self) { try ByteDFA(pattern: pattern) }
            #expect(try PatternMatcher(pattern: pattern).engine == .icu)
        }
        #expect(try PatternMatcher(pattern: "^C[0-9]{6}$").engine == .dfa)
    }
}

import TestSupport
import Testing
import YAML

/// Strict JSON in: every string JSON can carry comes out exactly, and what it cannot carry is
/// refused with the place and the reason.
@Suite struct JSONComposerTests {
    static func string(_ json: String) throws -> String {
        let stream = JSONComposer.compose(Array(json.utf8))
        if let issue = stream.issues.first { throw issue }
        guard case .mapping(let pairs) = stream.documents.first?.root?.value, let text = pairs.first?.value.scalar?.text else {
            throw YAMLIssue(code: .syntax, mark: Mark(line: 1, column: 1), message: "not {\"s\": string}", documentIndex: 0)
        }
        return text
    }

    @Test(arguments: [
        (#"{"s": "a\u0080"}"#, "a\u{80}") as (String, String),
        ("{\"s\": \"a\u{80}\u{9F}b\"}", "a\u{80}\u{9F}b"),
        (#"{"s": "\ud83d\ude00"}"#, "😀"),
        (#"{"s": "\uD83D\uDE00 and \u00e9"}"#, "😀 and é"),
        (#"{"s": "\u0001\b\f\n\r\t\"\\\/"}"#, "\u{01}\u{08}\u{0C}\n\r\t\"\\/"),
        (#"{"s": "\uffff\ufdd0\ufffe"}"#, String(String.UnicodeScalarView([0xFFFF, 0xFDD0, 0xFFFE].compactMap(Unicode.Scalar.init)))),
        (#"{"s": "\udbff\udfff"}"#, "\u{10FFFF}"),
        ("{\"s\": \"𝄞 raw\"}", "𝄞 raw"),
        ("\u{FEFF}{\"s\": \"after a byte order mark\"}", "after a byte order mark"),
    ])
    func stringsComeOutExactly(json: String, expected: String) throws {
        #expect(try Self.string(json) == expected)
    }

    @Test(arguments: [
        (#"{"s": "\ud83d"}"#, "low half is missing", 8) as (String, String, Int),
        (#"{"s": "\ude00"}"#, "without its high half", 8),
        (#"{"s": "\ud83d\u0041"}"#, "must be followed by a low surrogate", 8),
        (#"{"s": "a\u0000"}"#, "NUL", 9),
        ("{\"s\": \"a\u{01}\"}", "must be escaped", 9),
        (#"{"s": "\x"}"#, "not a JSON escape", 10),
        (#"{"s": "\u12"}"#, "four hex digits", 10),
        (#"{"s": "open"#, "is not closed", 12),
        (#"{"a": 1, "a": 2}"#, "duplicate key \"a\"", 10),
        (#"{"a": 1,}"#, "expected a string key", 9),
        (#"[1, 2,]"#, "expected a value", 7),
        (#"{"a" 1}"#, "expected ':'", 6),
        (#"{"a": 1} x"#, "text after the JSON value", 10),
        (#"{"a": tru}"#, "expected a value", 7),
        (#"{"a": 1.}"#, "digits after '.'", 9),
        (#"{"a": [1 2]}"#, "expected ',' or ']'", 10),
        (#"{'a': 1}"#, "expected a string key", 2),
        (#"{"a": [1"#, "ends before the array opened at 1:7 is closed", 9),
    ])
    func badJSONIsRefusedWhereItBreaks(json: String, message: String, column: Int) {
        let stream = JSONComposer.compose(Array(json.utf8))
        #expect(stream.documents.isEmpty)
        let issue = stream.issues.first
        #expect(issue?.message.contains(message) == true, "\(json): \(String(describing: issue))")
        #expect(issue?.mark == Mark(line: 1, column: column), "\(json): \(String(describing: issue))")
    }

    @Test func positionsCountLines() {
        let stream = JSONComposer.compose(Array("{\n  \"a\": [\n    1,\n    \"x\u{02}\"\n  ]\n}".utf8))
        #expect(stream.issues.first?.mark == Mark(line: 4, column: 7))
    }

    @Test func limitsHold() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(JSONComposer.compose(Array(deep.utf8)).issues.first?.code == .limit)
        let long = "{\"s\": \"" + String(repeating: "x", count: 100) + "\"}"
        #expect(JSONComposer.compose(Array(long.utf8), limits: YAMLLimits(maxScalarBytes: 10)).issues.first?.code == .limit)
        let many = "[" + Array(repeating: "1", count: 50).joined(separator: ",") + "]"
        #expect(JSONComposer.compose(Array(many.utf8), limits: YAMLLimits(maxNodesPerDocument: 20)).issues.first?.code == .limit)
    }

    @Test func scalarsKeepTheirTypesAndNesting() throws {
        let stream = JSONComposer.compose(
            Array(#"{"n": -2147483648, "f": 1e-07, "t": true, "z": null, "s": "true", "e": {}, "l": [[]]}"#.utf8))
        guard case .mapping(let pairs) = stream.documents.first?.root?.value else { throw JSONComposerTestFailure() }
        #expect(pairs.map(\.key.scalar?.text) == ["n", "f", "t", "z", "s", "e", "l"])
        #expect(pairs[0].value.scalar == YAMLScalar(text: "-2147483648", style: .plain))
        #expect(pairs[1].value.scalar == YAMLScalar(text: "1e-07", style: .plain))
        #expect(pairs[3].value.isNull)
        #expect(pairs[4].value.scalar == YAMLScalar(text: "true", style: .doubleQuoted))
        guard case .mapping(let empty) = pairs[5].value.value, case .sequence(let outer) = pairs[6].value.value,
            case .sequence(let inner) = outer.first?.value
        else { throw JSONComposerTestFailure() }
        #expect(empty.isEmpty && outer.count == 1 && inner.isEmpty)
    }

    /// Random strings from every plane (no surrogates, no NUL), written raw and fully escaped
    /// (astral characters as surrogate pairs), read back exactly.
    @Test func randomUnicodeRoundTrips() throws {
        var generator = SeededRandom(seed: 0x5EED)
        for _ in 0..<500 {
            var scalars: [Unicode.Scalar] = []
            for _ in 0..<Int(generator.next() % 12) {
                let plane = generator.next() % 4 == 0 ? UInt32(generator.next() % 17) : 0
                let value = plane << 16 | UInt32(generator.next() & 0xFFFF)
                if let scalar = Unicode.Scalar(value), value != 0 { scalars.append(scalar) }
            }
            let text = String(String.UnicodeScalarView(scalars))
            var escaped = ""
            for unit in text.utf16 { escaped += "\\u" + Self.hex4(UInt32(unit)) }
            var raw = ""
            for scalar in text.unicodeScalars {
                switch scalar.value {
                case 0x22: raw += "\\\""
                case 0x5C: raw += "\\\\"
                case 0..<0x20: raw += "\\u" + Self.hex4(scalar.value)
                default: raw.unicodeScalars.append(scalar)
                }
            }
            #expect(try Self.string("{\"s\": \"\(escaped)\"}") == text)
            #expect(try Self.string("{\"s\": \"\(raw)\"}") == text)
        }
    }
}

extension JSONComposerTests {
    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}

struct JSONComposerTestFailure: Error {}

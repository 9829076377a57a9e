import Testing
import YAML

@Suite struct ComposerTests {
    @Test func marksAreOneBasedAndPointAtValues() throws {
        let stream = Composer.compose("a: 1\nb:\n  - x\n  - {c: d}\n")
        #expect(stream.issues.isEmpty)
        let root = try #require(stream.documents.first?.root)
        guard case .mapping(let pairs) = root.value else {
            Issue.record("not a mapping")
            return
        }
        #expect(pairs.map(\.key.scalar?.text) == ["a", "b"])
        #expect(pairs[0].value.mark == Mark(line: 1, column: 4))
        guard case .sequence(let items) = pairs[1].value.value else {
            Issue.record("not a list")
            return
        }
        #expect(items[0].mark == Mark(line: 3, column: 5))
        #expect(items[1].mark == Mark(line: 4, column: 5))
    }

    @Test func multipleDocumentsKeepTheirIndexAndStart() {
        let stream = Composer.compose("a: 1\n---\nb: 2\n---\n---\nc: 3\n")
        #expect(stream.documents.map(\.index) == [0, 1, 2, 3])
        #expect(stream.documents.map(\.start.line) == [1, 2, 4, 5])
        #expect(stream.documents[2].root?.isNull == true)
    }

    @Test func scalarStylesAreKept() throws {
        let stream = Composer.compose("a: plain\nb: 'single'\nc: \"double\"\nd: |\n  literal\ne: >\n  folded\n")
        guard case .mapping(let pairs) = try #require(stream.documents.first?.root).value else {
            Issue.record("the document's root is not a mapping")
            return
        }
        #expect(pairs.map(\.value.scalar?.style) == [.plain, .singleQuoted, .doubleQuoted, .literal, .folded])
        #expect(pairs[3].value.scalar?.text == "literal\n")
    }

    @Test func aliasesStandForTheirAnchorsWithinLimits() throws {
        let stream = Composer.compose("base: &b {x: 1}\ncopy: *b\n")
        #expect(stream.issues.isEmpty)
        guard case .mapping(let pairs) = try #require(stream.documents.first?.root).value,
            case .mapping(let copy) = pairs[1].value.value
        else {
            Issue.record("shape")
            return
        }
        #expect(copy.first?.key.scalar?.text == "x")
        #expect(pairs[1].value.mark == Mark(line: 2, column: 7))
    }

    @Test func anchorsDoNotLeakAcrossDocuments() {
        let stream = Composer.compose("a: &x 1\n---\nb: *x\n")
        #expect(stream.issues.map(\.code) == [.undefinedAlias])
        #expect(stream.issues.first?.documentIndex == 1)
        #expect(stream.documents.count == 1)
    }

    @Test func aliasBombIsRefusedWithoutExpanding() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for (name, previous) in zip("bcdefghij", "abcdefghi") {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let clock = ContinuousClock()
        let started = clock.now
        let stream = Composer.compose(text)
        #expect(stream.issues.map(\.code) == [.limit])
        #expect(stream.documents.isEmpty)
        // A billion nodes would take minutes; the limit stops it at 100,000.
        #expect(clock.now - started < .seconds(5))
    }

    @Test func deepNestingIsALimitNotACrash() {
        let stream = Composer.compose(String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000))
        #expect(stream.issues.map(\.code) == [.limit])
        let limited = Composer.compose("a: [[[1]]]", limits: YAMLLimits(maxDepth: 3))
        #expect(limited.issues.first?.mark == Mark(line: 1, column: 6))
    }

    @Test func laterDocumentsSurviveALimitInAnEarlierOne() {
        let stream = Composer.compose(
            "a: \(String(repeating: "x", count: 100))\n---\nb: ok\n",
            limits: YAMLLimits(maxScalarBytes: 50))
        #expect(stream.issues.map(\.code) == [.limit])
        #expect(stream.documents.map(\.index) == [1])
    }

    @Test func duplicateKeysAreFoundInLargeMappingsToo() {
        var text = ""
        for i in 0..<40 { text += "k\(i): \(i)\n" }
        text += "k7: again\n"
        let stream = Composer.compose(text)
        #expect(stream.issues.map(\.code) == [.duplicateKey])
        #expect(stream.issues.first?.mark == Mark(line: 41, column: 1))
        #expect(stream.issues.first?.message.contains("first at line 8, column 1") == true)
    }

    @Test func syntaxErrorsCarryPositionAndStopTheStream() {
        let stream = Composer.compose("ok: 1\n---\nbad: [1, 2\n")
        #expect(stream.documents.count == 1)
        #expect(stream.issues.map(\.code) == [.syntax])
        #expect(stream.issues.first?.mark.line == 4)
    }

    @Test func emptyInputHasNoDocuments() {
        #expect(Composer.compose("").documents.isEmpty)
        #expect(Composer.compose("").issues.isEmpty)
        #expect(Composer.compose([UInt8]()).issues.isEmpty)
    }
}

@Suite struct ImplicitScalarTests {
    static let table: [(String, ImplicitScalar)] = [
        ("", .null), ("~", .null), ("null", .null), ("NULL", .null),
        ("true", .bool(true)), ("False", .bool(false)),
        ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")),
        ("0", .int(0)), ("-12", .int(-12)), ("+7", .int(7)), ("0x1F", .int(31)), ("0o17", .int(15)),
        ("1.5", .float(1.5)), ("-0.25", .float(-0.25)), ("1e3", .float(1000)), (".5", .float(0.5)),
        (".inf", .float(.infinity)), ("-.inf", .float(-.infinity)),
        ("1.2.3", .string("1.2.3")), ("12h", .string("12h")), ("0.5%", .string("0.5%")),
        ("2026-10-01", .string("2026-10-01")), ("-", .string("-")), ("e5", .string("e5")),
        // Too large for an int, but the core schema's float pattern matches it.
        ("99999999999999999999", .float(1e20)),
    ]

    @Test(arguments: table)
    func plainScalarsFollowTheCoreSchema(_ text: String, _ expected: ImplicitScalar) {
        #expect(ImplicitScalar.resolve(YAMLScalar(text: text, style: .plain), tag: nil) == expected)
    }

    @Test func quotedScalarsAreStrings() {
        #expect(ImplicitScalar.resolve(YAMLScalar(text: "42", style: .doubleQuoted), tag: nil) == .string("42"))
        #expect(ImplicitScalar.resolve(YAMLScalar(text: "true", style: .singleQuoted), tag: nil) == .string("true"))
    }

    @Test func explicitTagsWin() {
        #expect(ImplicitScalar.resolve(YAMLScalar(text: "42", style: .plain), tag: YAMLTag.str) == .string("42"))
        #expect(ImplicitScalar.resolve(YAMLScalar(text: "7", style: .plain), tag: YAMLTag.float) == .float(7))
    }

    @Test func nanIsAFloat() {
        guard case .float(let d) = ImplicitScalar.resolve(YAMLScalar(text: ".nan", style: .plain), tag: nil) else {
            Issue.record("not a float")
            return
        }
        #expect(d.isNaN)
    }
}

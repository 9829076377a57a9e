import Manifests
import Testing

/// RFC 8785 (JSON Canonicalization Scheme), checked against the RFC's own examples.
@Suite struct CanonicalJSONTests {
    static func canonical(_ value: JSONValue) -> String { String(decoding: value.canonicalJSON, as: UTF8.self) }

    /// Appendix B: IEEE 754 bit patterns and the text JCS writes for each.
    @Test(
        arguments: [
            (0x0000_0000_0000_0000, "0"), (0x8000_0000_0000_0000, "0"),
            (0x0000_0000_0000_0001, "5e-324"), (0x8000_0000_0000_0001, "-5e-324"),
            (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"), (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
            (0x4340_0000_0000_0000, "9007199254740992"), (0xC340_0000_0000_0000, "-9007199254740992"),
            (0x4430_0000_0000_0000, "295147905179352830000"),
            (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"), (0x44B5_2D02_C7E1_4AF6, "1e+23"),
            (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
            (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"), (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
            (0x444B_1AE4_D6E2_EF50, "1e+21"),
            (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"), (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
            (0x41B3_DE43_5555_5553, "333333333.3333332"), (0x41B3_DE43_5555_5554, "333333333.33333325"),
            (0x41B3_DE43_5555_5555, "333333333.3333333"), (0x41B3_DE43_5555_5556, "333333333.3333334"),
            (0x41B3_DE43_5555_5557, "333333333.33333343"),
            (0xBECB_F647_612F_3696, "-0.0000033333333333333333"), (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
        ] as [(UInt64, String)])
    func numbersAreWrittenAsECMAScriptWritesThem(bits: UInt64, expected: String) {
        #expect(Self.canonical(.double(Double(bitPattern: bits))) == expected)
    }

    /// Section 3.2.2's example: numbers, a string with escapes, literals.
    @Test func theRFCsExampleCanonicalises() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        guard case .success(let value) = JSONText.parse(input) else { throw CanonicalTestFailure() }
        #expect(
            Self.canonical(value)
                == #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#)
    }

    /// Section 3.2.3: keys sorted by UTF-16 code units (the emoji's surrogates sort before U+FB33).
    @Test func keysSortByUTF16CodeUnits() throws {
        let input = #"""
            {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",
             "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}
            """#
        guard case .success(let value) = JSONText.parse(input), case .success(let sorted) = JSONText.parse(Self.canonical(value)) else {
            throw CanonicalTestFailure()
        }
        #expect(sorted.objectValue?.map(\.key) == ["\r", "1", "\u{80}", "ö", "€", "😀", "\u{FB33}"])
    }

    @Test func controlCharactersUseTheShortEscapes() {
        #expect(Self.canonical(.string("\u{08}\u{09}\u{0A}\u{0C}\u{0D}\u{1F}")) == #""\b\t\n\f\r\u001f""#)
    }

    /// Entries of the audit chain written before RFC 8785 keep their form for verification.
    @Test func theLegacyFormIsTheEarlierOne() {
        let value: JSONValue = ["b": .double(1e-7), "a": .string("\u{08}"), "\u{10000}": 1, "\u{FFFF}": 2]
        #expect(
            String(decoding: value.legacyCanonicalJSON, as: UTF8.self) == "{\"a\":\"\\u0008\",\"b\":1e-07,\"\u{FFFF}\":2,\"\u{10000}\":1}")
        #expect(Self.canonical(value) == "{\"a\":\"\\b\",\"b\":1e-7,\"\u{10000}\":1,\"\u{FFFF}\":2}")
    }
}

struct CanonicalTestFailure: Error {}

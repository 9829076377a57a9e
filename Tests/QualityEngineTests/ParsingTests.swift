import Foundation
import Manifests
import Testing

@testable import QualityEngine

/// How files are read: headers, quotes, line ends, nulls, ragged rows, invalid UTF-8, JSONL.
@Suite struct ParsingTests {
    static let columnChecks: [JSONValue] = [
        ["name": "rows", "rowCount": ["min": 1]],
        ["name": "a-present", "missing": ["column": "a"]],
    ]

    @Test func emptyFileHasNoRowsAndColumnChecksError() throws {
        let report = try evaluate("", [rule(Self.columnChecks)])
        #expect(report.rows == 0)
        #expect(report.bytes == 0)
        #expect(report.check("rows")?.outcome == .failed)
        let missing = try #require(report.check("a-present"))
        #expect(missing.outcome == .error)
        #expect(missing.message.contains("no header"))
        #expect(report.outcome == .failed)
    }

    @Test func headerOnlyPassesColumnChecksWithNoElements() throws {
        let report = try evaluate(
            "a,b\n",
            [
                rule([
                    ["name": "a-present", "missing": ["column": "a"]],
                    ["name": "b-range", "range": ["column": "b", "min": 0]],
                ])
            ])
        #expect(report.rows == 0)
        for check in report.checks {
            #expect(check.outcome == .passed)
            #expect(check.elementCount == 0)
            #expect(check.unexpectedPercent == 0)
        }
    }

    @Test func raggedRowsAreIssuesWithLines() throws {
        let report = try evaluate("a,b\n1\n1,2,3\n4,5\n", [rule([["name": "b-present", "missing": ["column": "b", "threshold": 5]]])])
        #expect(report.rows == 3)
        #expect(report.issues == ["line 2: 1 field, the header has 2", "line 3: 3 fields, the header has 2"])
        #expect(report.check("b-present")?.unexpectedCount == 1)
        #expect(report.check("b-present")?.outcome == .passed)
        #expect(report.check("b-present")?.sampleRows.map(\.line) == [2], "samples also within the threshold")
    }

    @Test func quotedFieldsKeepNewlinesCommasAndQuotes() throws {
        let csv = "id,note\n1,\"a \"\"b\"\",\nc\"\n2,plain\n3,\"x\"\n"
        let checks: [JSONValue] = [["name": "notes", "allowedValues": ["column": "note", "values": ["a \"b\",\nc", "plain"]]]]
        let report = try evaluate(csv, [rule(checks)])
        #expect(report.rows == 3)
        let notes = try #require(report.check("notes"))
        #expect(notes.unexpectedCount == 1)
        #expect(notes.sampleRows.map(\.line) == [5], "row 3 starts on line 5, after the quoted newline")
        #expect(notes.sampleRows.first?.values == ["id": "3", "note": "x"])
        #expect(report.issues.isEmpty)
    }

    @Test func crlfReadsLikeLF() throws {
        let lf = "id,v\n1,a\n2,\n3,b\n"
        let checks: [JSONValue] = [
            ["name": "v", "allowedValues": ["column": "v", "values": ["a"]]], ["name": "m", "missing": ["column": "v"]],
        ]
        let a = try evaluate(lf, [rule(checks)])
        let b = try evaluate(lf.replacingOccurrences(of: "\n", with: "\r\n"), [rule(checks)])
        #expect(a.checks == b.checks)
        #expect(a.check("v")?.unexpectedCount == 1)
        #expect(a.check("m")?.unexpectedCount == 1)
    }

    @Test func nullSpellings() throws {
        let csv = "v\n\"\"\nNA\nN/A\nNULL\nnull\nna\nNull\nx\n"
        let report = try evaluate(csv, [rule([["name": "m", "missing": ["column": "v"], "threshold": 100]])])
        #expect(report.rows == 8, "the first data line holds a quoted empty value: not a blank line")
        #expect(report.check("m")?.unexpectedCount == 5, "na and Null are values")
    }

    @Test func blankLinesAreSkipped() throws {
        let report = try evaluate("v\n1\n\n2\n\n", [rule([["name": "rows", "rowCount": ["min": 2, "max": 2]]])])
        #expect(report.rows == 2)
        #expect(report.outcome == .passed)
    }

    @Test func invalidUTF8IsUnexpectedButTheRowCounts() throws {
        var bytes = Array("id,name\n1,ok\n2,".utf8)
        bytes += [0x62, 0xFF, 0x61, 0x64]
        bytes += Array("\n3,caf\u{E9}\n".utf8)
        let checks: [JSONValue] = [
            ["name": "re", "regex": ["column": "name", "pattern": "^[a-z\u{E9}]+$"]],
            ["name": "allowed", "allowedValues": ["column": "name", "values": ["ok", "b\u{FFFD}ad", "caf\u{E9}"]]],
            ["name": "types", "schema": ["columns": [["name": "id", "type": "integer"], ["name": "name", "type": "string"]]]],
            ["name": "m", "missing": ["column": "name"]],
        ]
        let report = try evaluate(bytes: bytes, [rule(checks)])
        #expect(report.rows == 3)
        #expect(report.issues == ["line 3: invalid UTF-8 in column name"])
        #expect(report.check("re")?.unexpectedCount == 1)
        #expect(report.check("allowed")?.unexpectedCount == 1)
        #expect(report.check("types")?.unexpectedCount == 1)
        #expect(report.check("m")?.unexpectedCount == 0)
        #expect(report.check("re")?.sampleRows.map(\.line) == [3])
    }

    @Test func unterminatedQuoteIsAnIssue() throws {
        let report = try evaluate("a\n\"open\n", [rule([["name": "rows", "rowCount": ["min": 1]]])])
        #expect(report.rows == 1)
        #expect(report.issues == ["line 2: a quoted field is not closed before the end of the file"])
    }

    @Test func lastRowWithoutNewlineAndBOM() throws {
        let report = try evaluate("\u{FEFF}a,b\n1,2\n3,4", [rule([["name": "a", "range": ["column": "a", "min": 0, "max": 2]]])])
        #expect(report.rows == 2)
        #expect(report.check("a")?.unexpectedCount == 1)
        #expect(report.check("a")?.observedValue == ["min": .double(1), "max": .double(3)])
    }

    @Test func jsonLines() throws {
        let jsonl = """
            {"id": 1, "plan": "pro", "tags": ["a", "b"], "score": 1.0, "ok": true}

            {"id": 2, "plan": "fr\\u0065e", "tags": ["a","b"], "score": null}
            [1, 2]
            {"id": 3, "plan": "gold", "tags": {"x": 1}, "score": "1", "ok": "yes"}
            {"id": 4, "plan": "pro" "oops": 1}
            """
        let checks: [JSONValue] = [
            ["name": "plans", "allowedValues": ["column": "plan", "values": ["free", "pro"]]],
            ["name": "score", "allowedValues": ["column": "score", "values": [1]]],
            ["name": "tags", "unique": ["columns": ["tags"]]],
            ["name": "ok-present", "missing": ["column": "ok"], "threshold": 5],
            ["name": "types", "schema": ["columns": [["name": "id", "type": "integer"], ["name": "ok", "type": "boolean"]]]],
        ]
        let report = try evaluate(jsonl, [rule(checks)], format: .jsonl)
        #expect(report.rows == 3)
        #expect(report.issues.count == 2)
        #expect(report.issues.first?.hasPrefix("line 4: not a JSON object") == true)
        #expect(report.issues.last?.hasPrefix("line 6: not a JSON object") == true)
        #expect(report.check("plans")?.unexpectedCount == 1)
        #expect(report.check("plans")?.sampleRows.first?.line == 5)
        #expect(report.check("score")?.unexpectedCount == 0, "1.0 and \"1\" are the number 1")
        #expect(report.check("tags")?.unexpectedCount == 0, "nested values compare by their JSON text as written")
        #expect(report.check("ok-present")?.unexpectedCount == 1, "a missing key is null")
        #expect(report.check("types")?.unexpectedCount == 1, "\"yes\" is not a boolean")
        let sample = try #require(report.check("plans")?.sampleRows.first?.values)
        #expect(sample["id"] == .int(3))
        #expect(sample["tags"] == .string("{\"x\": 1}"))
    }

    @Test func jsonlWithoutRowsErrorsColumnChecks() throws {
        let report = try evaluate("\n\n", [rule(Self.columnChecks)], format: .jsonl)
        #expect(report.rows == 0)
        #expect(report.check("a-present")?.outcome == .error)
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func chunkBoundariesDoNotMatter(_ chunk: Int) throws {
        let csv = "id,name,note\r\n1,caf\u{E9},\"multi\r\nline, \"\"quoted\"\"\"\r\n2,\u{1F600}x,NA\r\n2,\"a\",\"b\"\"\"\r\n3,,plain"
        let checks: [JSONValue] = [
            ["name": "u", "unique": ["columns": ["id"]]],
            ["name": "re", "regex": ["column": "name", "pattern": "^.x?$"]],
            ["name": "m", "missing": ["column": "note"]],
            ["name": "types", "schema": ["columns": [["name": "id", "type": "integer"], ["name": "note", "type": "string"]]]],
        ]
        let whole = try evaluate(csv, [rule(checks)])
        let split = try evaluate(csv, [rule(checks)], chunk: chunk)
        #expect(whole == split)
        #expect(whole.rows == 4)
        #expect(whole.check("u")?.unexpectedCount == 1)
        #expect(whole.check("m")?.unexpectedCount == 1)
        #expect(whole.check("re")?.unexpectedCount == 1, "café has four characters")

        let jsonl = "{\"id\":\"caf\u{E9}\",\"n\":1}\r\n{\"id\":\"\\u00e9\\ud83d\\ude00\",\"n\":2}\n\n{\"id\":null}\n"
        let jChecks: [JSONValue] = [
            ["name": "re", "regex": ["column": "id", "pattern": "^..$"]], ["name": "m", "missing": ["column": "n"]],
        ]
        let jWhole = try evaluate(jsonl, [rule(jChecks)], format: .jsonl)
        #expect(try evaluate(jsonl, [rule(jChecks)], format: .jsonl, chunk: chunk) == jWhole)
        #expect(jWhole.check("re")?.unexpectedCount == 1)
        #expect(jWhole.check("m")?.unexpectedCount == 1)
    }
}

import Foundation
import Manifests
import Testing

@testable import QualityEngine

/// The semantics of each check type, thresholds and outcomes.
@Suite struct CheckTests {
    @Test func everyOutcome() throws {
        let csv = "a\n1\n2\n\n"
        let checks: [JSONValue] = [
            ["name": "passes", "rowCount": ["min": 1]],
            ["name": "warns", "severity": "warn", "rowCount": ["min": 5]],
            ["name": "fails", "rowCount": ["max": 1]],
            ["name": "errs", "missing": ["column": "b"]],
        ]
        let report = try evaluate(csv, [rule(checks)])
        #expect(report.checks.map(\.outcome) == [.passed, .warned, .failed, .error])
        #expect(report.outcome == .failed)
        #expect(try evaluate(csv, [rule([checks[0], checks[1], checks[3]])]).outcome == .error)
        #expect(try evaluate(csv, [rule([checks[0], checks[1]])]).outcome == .warned)
        #expect(try evaluate(csv, [rule([checks[0]])]).outcome == .passed)
        #expect(try evaluate(csv, [rule([checks[2]], severity: "warn")]).checks[0].outcome == .warned, "the rule's severity applies")
    }

    @Test func missingColumnNamesRuleCheckAndClosestHeader() throws {
        let report = try evaluate(
            "customer_id,plan\nC1,pro\n", [rule([["name": "ids", "missing": ["column": "customer_ud"]]], name: "hygiene")])
        let result = try #require(report.check("ids"))
        #expect(result.outcome == .error)
        #expect(result.message.contains("rule hygiene, check ids"))
        #expect(result.message.contains("column \"customer_ud\" is not in the file (did you mean \"customer_id\"?)"))
    }

    @Test func thresholds() throws {
        let csv = "v\n" + (1...200).map { $0 <= 10 ? "NA" : "x" }.joined(separator: "\n") + "\n"  // 10 of 200 null: 5%
        func outcome(_ threshold: JSONValue?) throws -> Outcome {
            var body: [JSONMember] = [JSONMember("column", "v")]
            if let threshold { body.append(JSONMember("threshold", threshold)) }
            return try #require(evaluate(csv, [rule([["name": "m", "missing": .object(body)]])]).check("m")).outcome
        }
        #expect(try outcome(nil) == .failed)
        #expect(try outcome(9) == .failed)
        #expect(try outcome(10) == .passed)
        #expect(try outcome("4.9%") == .failed)
        #expect(try outcome("5%") == .passed)
        let result = try #require(evaluate(csv, [rule([["name": "m", "missing": ["column": "v", "threshold": "5%"]]])]).check("m"))
        #expect(result.threshold == "5%")
        #expect(result.unexpectedPercent == 5)
        #expect(result.elementCount == 200)
    }

    @Test func uniqueOverColumnsSkipsNulls() throws {
        let csv = "a,b\n1,x\n1,y\n1,x\n,x\n,x\n2,\n1,x\n"
        let report = try evaluate(csv, [rule([["name": "u", "unique": ["columns": ["a", "b"]], "threshold": 5]])])
        let u = try #require(report.check("u"))
        #expect(u.elementCount == 4)
        #expect(u.unexpectedCount == 2)
    }

    @Test func allowedValuesComparesNumbersNumerically() throws {
        let csv = "v\n1\n1.0\n1e0\n01\n2\none\ntrue\nTRUE\n"
        let report = try evaluate(csv, [rule([["name": "a", "allowedValues": ["column": "v", "values": [1, "one", true]]]])])
        let a = try #require(report.check("a"))
        #expect(a.elementCount == 8)
        #expect(a.unexpectedCount == 1)  // only 2
        let many = (0..<20).map { JSONValue.string("v\($0)") }
        let big = try evaluate("v\nv3\nv19\nv20\n", [rule([["name": "a", "allowedValues": ["column": "v", "values": .array(many)]]])])
        #expect(big.check("a")?.unexpectedCount == 1)
    }

    @Test func rangeCountsNonNumbers() throws {
        let report = try evaluate(
            "v\n-1\n0\n5.5\n10\n11\nabc\n 3\n\n", [rule([["name": "r", "range": ["column": "v", "min": 0, "max": 10]]])])
        let r = try #require(report.check("r"))
        #expect(r.elementCount == 7)
        #expect(r.unexpectedCount == 4)  // -1, 11, abc, " 3"
        #expect(r.observedValue == ["min": .double(-1), "max": .double(11)])
    }

    @Test func regexSearchUnlessAnchored() throws {
        let csv = "v\nabc\nxabcx\nab\n"
        let anchored = try evaluate(csv, [rule([["name": "r", "regex": ["column": "v", "pattern": "^abc$"]]])])
        #expect(anchored.check("r")?.unexpectedCount == 2)
        let search = try evaluate(csv, [rule([["name": "r", "regex": ["column": "v", "pattern": "abc"]]])])
        #expect(search.check("r")?.unexpectedCount == 1)
        let icu = try evaluate(csv, [rule([["name": "r", "regex": ["column": "v", "pattern": "\\babc\\b"]]])])
        #expect(icu.check("r")?.unexpectedCount == 2, "word boundaries go through the ICU fallback")
    }

    @Test func schemaTypesAndColumns() throws {
        let csv =
            "i,n,b,d,t,extra\n1,1.5,true,2026-01-31,2026-01-31T10:00:00Z,x\n1.0,abc,0,2026-02-30,2026-01-31 10:00:00,y\n-7,1e3,FALSE,2024-02-29,2026-01-31T10:00:00.123+02:00,z\n"
        let columns: JSONValue = [
            ["name": "i", "type": "integer"], ["name": "n", "type": "number"], ["name": "b", "type": "boolean"],
            ["name": "d", "type": "date"], ["name": "t", "type": "timestamp"], ["name": "s", "type": "string"],
        ]
        let report = try evaluate(
            csv,
            [
                rule([
                    ["name": "s", "schema": ["columns": columns]],
                    ["name": "strict", "schema": ["columns": columns, "allowExtraColumns": false]],
                ])
            ])
        let s = try #require(report.check("s"))
        #expect(s.unexpectedCount == 4)  // 1.0, abc, 0, 2026-02-30
        #expect(s.outcome == .failed)
        #expect(s.observedValue["missingColumns"] == ["s"])
        #expect(s.observedValue["extraColumns"] == ["extra"])
        #expect(s.message.hasPrefix("missing column s;"))
        #expect(report.check("strict")?.message.contains("extra column extra (allowExtraColumns is false)") == true)
        let fine = try evaluate("i,extra\n1,x\n", [rule([["name": "s", "schema": ["columns": [["name": "i", "type": "integer"]]]]])])
        #expect(fine.check("s")?.outcome == .passed)
    }

    @Test func freshness() throws {
        let csv = "t\n2026-11-01T00:00:00Z\nlater\n2026-11-29T00:00:00Z\n2026-11-02\n"
        let fresh = try evaluate(csv, [rule([["name": "f", "freshness": ["column": "t", "maxAge": "2d"]]])])
        let f = try #require(fresh.check("f"))
        #expect(f.outcome == .passed)
        #expect(f.observedValue["newest"] == "2026-11-29T00:00:00Z")
        #expect(f.unexpectedCount == 1)
        let stale = try evaluate(csv, [rule([["name": "f", "freshness": ["column": "t", "maxAge": "12h"]]])])
        #expect(stale.check("f")?.outcome == .failed)
        let none = try evaluate("t\nnever\n\n", [rule([["name": "f", "freshness": ["column": "t", "maxAge": "30s"]]])])
        #expect(none.check("f")?.outcome == .failed)
        #expect(none.check("f")?.message.contains("no parseable timestamp") == true)
    }

    @Test func subsetOfChecks() throws {
        let checks: [JSONValue] = [["name": "a", "rowCount": ["min": 1]], ["name": "b", "rowCount": ["min": 100]]]
        let input = QualityRuleInput(name: "r", spec: ["severity": "fail", "checks": .array(checks)], checks: ["a", "c"])
        let report = try evaluate("x\n1\n", [input])
        #expect(report.checks.map(\.check) == ["a", "c"])
        #expect(report.check("c")?.outcome == .error)
    }

    @Test func reportEncodesAsJSON() throws {
        let report = try evaluate("a\n\n1\n", [rule([["name": "m", "missing": ["column": "a"]]])])
        let data = try JSONEncoder().encode(report)
        let decoded = try JSONDecoder().decode(EvaluationReport.self, from: data)
        #expect(decoded.checks.map(\.check) == ["m"])
        #expect(report.json["outcome"] == "PASSED")
    }

    /// Malformed rule specs: each gives an ERROR result naming the rule and check, never a crash.
    static let badSpecs: [(check: JSONValue, mentions: String)] = [
        (["name": "c", "missing": ["column": "a", "threshold": "abc%"]], "threshold \"abc%\""),
        (["name": "c", "missing": ["column": "a", "threshold": -1]], "negative"),
        (["name": "c", "missing": ["column": "a", "threshold": "150%"]], "0 to 100"),
        (["name": "c", "regex": ["column": "a", "pattern": "("]], "not a valid regular expression"),
        (["name": "c", "regex": ["column": "a", "pattern": "[z-a]"]], "not a valid regular expression"),
        (["name": "c", "regex": ["column": "a"]], "regex.pattern"),
        (["name": "c", "rowcount": ["min": 1]], "exactly one of"),
        (["name": "c", "rowCount": ["min": 1], "missing": ["column": "a"]], "found: rowCount, missing"),
        (["name": "c", "range": ["column": "a", "min": 5, "max": 1]], "above max"),
        (["name": "c", "range": ["column": "a"]], "range needs min or max"),
        (["name": "c", "freshness": ["column": "a", "maxAge": "soon"]], "duration"),
        (["name": "c", "allowedValues": ["column": "a", "values": [["x": 1]]]], "only strings, numbers and booleans"),
        (["name": "c", "schema": ["columns": [["name": "a", "type": "float"]]]], "type must be one of"),
        (["name": "c", "severity": "maybe", "rowCount": ["min": 1]], "severity must be warn or fail"),
        (["name": "c", "missing": "a"], "missing must be an object"),
        (["name": "c", "unique": ["columns": []]], "unique.columns"),
        (["name": "c", "rowCount": ["min": .double(1.5)]], "whole number"),
    ]

    @Test(arguments: badSpecs)
    func malformedSpecsAreErrors(_ check: JSONValue, _ mentions: String) throws {
        let report = try evaluate("a\n1\n", [rule([check, ["name": "fine", "rowCount": ["min": 1]]], name: "bad-rule")])
        let result = try #require(report.check("c"))
        #expect(result.outcome == .error)
        #expect(result.message.hasPrefix("rule bad-rule, check c: "), "\(result.message)")
        #expect(result.message.contains(mentions), "\(result.message)")
        #expect(report.check("fine")?.outcome == .passed)
        #expect(report.outcome == .error)
    }

    @Test func malformedRules() throws {
        for spec: JSONValue in ["x", ["severity": "fail"], ["severity": "often", "checks": [["name": "a", "rowCount": ["min": 1]]]]] {
            let report = try evaluate("a\n1\n", [QualityRuleInput(name: "broken", spec: spec)])
            #expect(report.checks.count == 1)
            #expect(report.checks[0].outcome == .error)
            #expect(report.checks[0].message.hasPrefix("rule broken, check -: "))
        }
    }
}

import Manifests

/// Findings as a JUnit XML report, what GitLab's `artifacts:reports:junit` and most CI
/// dashboards show: one test suite, a test case per thing checked (a manifest file, a planned
/// object) that fails with each error; warnings and notes are its `system-out`, so a case with
/// none of its findings an error passes.
public struct JUnitReport: Sendable {
    /// One thing checked and what was found in it.
    public struct Case: Sendable {
        public var name: String
        public var file: String?
        public var findings: [CIFinding]

        public init(name: String, file: String? = nil, findings: [CIFinding]) {
            self.name = name
            self.file = file
            self.findings = findings
        }
    }

    public let suiteName: String
    public let cases: [Case]

    public init(suiteName: String, cases: [Case]) {
        self.suiteName = suiteName
        self.cases = cases
    }

    /// A case per file read (valid ones too, first seen first), with the diagnostics found in it.
    public init(suiteName: String, files: [String], diagnostics: [Diagnostic]) {
        var seen = Set<String>()
        let names = (files + diagnostics.map(\.file)).filter { seen.insert($0).inserted }
        self.init(
            suiteName: suiteName,
            cases: names.map { file in Case(name: file, file: file, findings: diagnostics.filter { $0.file == file }.map(CIFinding.init)) })
    }

    public var text: String {
        let failing = cases.filter { $0.findings.contains { $0.level == .error } }.count
        let suite = Self.escape(suiteName)
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="\#(suite)" tests="\#(cases.count)" failures="\#(failing)" errors="0">"# + "\n"
        xml += #"  <testsuite name="\#(suite)" tests="\#(cases.count)" failures="\#(failing)" errors="0" skipped="0">"# + "\n"
        for testCase in cases {
            let file = testCase.file.map { #" file="\#(Self.escape($0))""# } ?? ""
            xml += #"    <testcase classname="\#(suite)" name="\#(Self.escape(testCase.name))"\#(file)>"# + "\n"
            for error in testCase.findings where error.level == .error {
                xml += #"      <failure type="\#(Self.escape(error.code))" message="\#(Self.escape(error.message))">"#
                xml += Self.escape("\(Self.position(error))error: \(error.message)") + "</failure>\n"
            }
            let others = testCase.findings.filter { $0.level != .error }
            if !others.isEmpty {
                let lines = others.map { "\(Self.position($0))\($0.level.rawValue): \($0.message)" }
                xml += "      <system-out>" + Self.escape(lines.joined(separator: "\n")) + "</system-out>\n"
            }
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// `file:line:column: ` where the finding has a file.
    static func position(_ finding: CIFinding) -> String {
        finding.file.map { "\($0):\(finding.line):\(finding.column): " } ?? ""
    }

    /// Text for XML attributes and content (`MarkupText`).
    static func escape(_ text: String) -> String { MarkupText.escape(text) }
}

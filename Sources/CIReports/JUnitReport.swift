import Manifests

/// Diagnostics as a JUnit XML report, what GitLab's `artifacts:reports:junit` and most CI
/// dashboards show: a test suite per file read, a test case per manifest file that fails with
/// each error (warnings are written as `system-out`), so a valid file is one passed case.
public struct JUnitReport: Sendable {
    public let files: [String]
    public let diagnostics: [Diagnostic]
    public let suiteName: String

    /// `files`: every file read (valid ones too); `diagnostics`: what was found in them.
    public init(suiteName: String, files: [String], diagnostics: [Diagnostic]) {
        self.suiteName = suiteName
        self.diagnostics = diagnostics
        var seen = Set<String>()
        self.files = (files + diagnostics.map(\.file)).filter { seen.insert($0).inserted }
    }

    public var text: String {
        let errors = diagnostics.filter { $0.severity == .error }
        let failing = Set(errors.map(\.file))
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="\#(Self.escape(suiteName))" tests="\#(files.count)" failures="\#(failing.count)" errors="0">"# + "\n"
        xml +=
            #"  <testsuite name="\#(Self.escape(suiteName))" tests="\#(files.count)" failures="\#(failing.count)" errors="0" skipped="0">"#
            + "\n"
        for file in files {
            let found = diagnostics.filter { $0.file == file }
            xml +=
                #"    <testcase classname="\#(Self.escape(suiteName))" name="\#(Self.escape(file))" file="\#(Self.escape(file))">"# + "\n"
            for error in found where error.severity == .error {
                let where_ = "\(error.file):\(error.line):\(error.column)"
                let field = error.path.isEmpty ? "" : "\(error.path): "
                xml += #"      <failure type="\#(error.code.rawValue)" message="\#(Self.escape(field + error.message))">"#
                xml += Self.escape("\(where_): error: \(field)\(error.message)") + "</failure>\n"
            }
            let warnings = found.filter { $0.severity == .warning }
            if !warnings.isEmpty {
                let lines = warnings.map {
                    "\($0.file):\($0.line):\($0.column): warning: \($0.path.isEmpty ? "" : $0.path + ": ")\($0.message)"
                }
                xml += "      <system-out>" + Self.escape(lines.joined(separator: "\n")) + "</system-out>\n"
            }
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// Text for XML attributes and content: the five predefined entities, and characters XML 1.0
    /// cannot carry (control characters other than tab, newline, return) as U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

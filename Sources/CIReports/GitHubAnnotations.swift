import Foundation
import Manifests

/// Diagnostics as GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::…`),
/// which Actions shows on the pull request's changed lines. Written when `GITHUB_ACTIONS` is
/// `true`, beside the usual output.
public enum GitHubAnnotations {
    public static func lines(_ diagnostics: [Diagnostic]) -> [String] { lines(diagnostics.map(CIFinding.init)) }

    /// A command per finding: on its file's line when it has one, else on the workflow run.
    public static func lines(_ findings: [CIFinding]) -> [String] {
        findings.map { finding in
            var properties: [String] = []
            if let file = finding.file {
                properties += ["file=\(property(file))", "line=\(max(1, finding.line))", "col=\(max(1, finding.column))"]
            }
            properties.append("title=\(property("dpctl \(finding.code)"))")
            let message = finding.object.map { "\($0): " } ?? ""
            return
                "::\(finding.level == .note ? "notice" : finding.level.rawValue) \(properties.joined(separator: ","))::\(data(message + finding.message))"
        }
    }

    /// A message: `%`, carriage return and newline escaped, as the runner unescapes them.
    static func data(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A property value: as a message, and `:` and `,` too, which end a property.
    static func property(_ text: String) -> String {
        data(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

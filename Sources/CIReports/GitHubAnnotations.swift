import Foundation
import Manifests

/// Diagnostics as GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::…`),
/// which Actions shows on the pull request's changed lines. Written when `GITHUB_ACTIONS` is
/// `true`, beside the usual output.
public enum GitHubAnnotations {
    public static func lines(_ diagnostics: [Diagnostic]) -> [String] {
        diagnostics.map { diagnostic in
            let properties = [
                "file=\(property(diagnostic.file))", "line=\(max(1, diagnostic.line))", "col=\(max(1, diagnostic.column))",
                "title=\(property("dpctl \(diagnostic.code.rawValue)"))",
            ]
            let field = diagnostic.path.isEmpty ? "" : "\(diagnostic.path): "
            return "::\(diagnostic.severity.rawValue) \(properties.joined(separator: ","))::\(data(field + diagnostic.message))"
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

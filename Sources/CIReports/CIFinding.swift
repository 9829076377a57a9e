import Manifests

/// One thing a CI report shows: what kind (its code, a stable rule id), how bad, what, and
/// where when known (a file, 1-based line and column), else which object.
public struct CIFinding: Sendable, Hashable {
    public enum Level: String, Sendable, Hashable {
        case error, warning, note
    }

    public var code: String
    public var level: Level
    public var message: String
    /// The file as the user named it; nil for a finding about no file (a plan-wide limit).
    public var file: String?
    public var line: Int
    public var column: Int
    /// The object it is about, `kind/name` (SARIF's logical location), when there is one.
    public var object: String?
    /// The rule's description, when the code is not one of the manifest diagnostics'.
    public var ruleDescription: String?

    public init(
        code: String, level: Level, message: String, file: String? = nil, line: Int = 1, column: Int = 1, object: String? = nil,
        ruleDescription: String? = nil
    ) {
        self.code = code
        self.level = level
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.object = object
        self.ruleDescription = ruleDescription
    }

    /// A manifest diagnostic: its code, severity and position, the field path before the message.
    public init(_ diagnostic: Diagnostic) {
        self.init(
            code: diagnostic.code.rawValue, level: diagnostic.severity == .error ? .error : .warning,
            message: diagnostic.path.isEmpty ? diagnostic.message : "\(diagnostic.path): \(diagnostic.message)", file: diagnostic.file,
            line: diagnostic.line, column: diagnostic.column)
    }
}

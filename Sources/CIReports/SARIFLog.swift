import Foundation
import Manifests

/// Diagnostics as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), what
/// GitHub code scanning (`upload-sarif`) and GitLab read: one run of the `dpctl` tool, a rule per
/// diagnostic code (its id is the code, stable across releases), a result per diagnostic with
/// the file, line and column where it is.
public struct SARIFLog: Encodable, Sendable {
    public static let schema = "https://json.schemastore.org/sarif-2.1.0.json"

    struct Run: Encodable, Sendable {
        var tool: Tool
        var results: [Result]
        var columnKind = "unicodeCodePoints"
    }

    struct Tool: Encodable, Sendable {
        var driver: Driver
    }

    struct Driver: Encodable, Sendable {
        var name: String
        var version: String
        var rules: [Rule]
    }

    struct Rule: Encodable, Sendable {
        var id: String
        var shortDescription: Text
        var defaultConfiguration: Configuration
    }

    struct Configuration: Encodable, Sendable {
        var level: String
    }

    struct Text: Encodable, Sendable {
        var text: String
    }

    struct Result: Encodable, Sendable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Text
        var locations: [Location]
    }

    struct Location: Encodable, Sendable {
        var physicalLocation: PhysicalLocation
    }

    struct PhysicalLocation: Encodable, Sendable {
        var artifactLocation: ArtifactLocation
        var region: Region
    }

    struct ArtifactLocation: Encodable, Sendable {
        var uri: String
    }

    struct Region: Encodable, Sendable {
        var startLine: Int
        var startColumn: Int
    }

    enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case version, runs
    }

    let runs: [Run]

    /// A log of `diagnostics` found by `tool` (`dpctl validate`), version `version`.
    public init(diagnostics: [Diagnostic], tool: String, version: String) {
        let codes = Array(Set(diagnostics.map(\.code.rawValue))).sorted()
        let index = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
        let rules = codes.map { code in
            Rule(
                id: code, shortDescription: Text(text: CodeDescriptions.text(code)),
                defaultConfiguration: Configuration(
                    level: diagnostics.contains { $0.code.rawValue == code && $0.severity == .error } ? "error" : "warning"))
        }
        let results = diagnostics.map { diagnostic in
            Result(
                ruleId: diagnostic.code.rawValue, ruleIndex: index[diagnostic.code.rawValue]!, level: diagnostic.severity.rawValue,
                message: Text(text: diagnostic.path.isEmpty ? diagnostic.message : "\(diagnostic.path): \(diagnostic.message)"),
                locations: [
                    Location(
                        physicalLocation: PhysicalLocation(
                            artifactLocation: ArtifactLocation(uri: SARIFLog.uri(diagnostic.file)),
                            region: Region(startLine: max(1, diagnostic.line), startColumn: max(1, diagnostic.column))))
                ])
        }
        runs = [
            Run(
                tool: Tool(
                    driver: Driver(name: tool, version: version, rules: rules)),
                results: results)
        ]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.schema, forKey: .schema)
        try container.encode("2.1.0", forKey: .version)
        try container.encode(runs, forKey: .runs)
    }

    /// The log as pretty JSON, keys sorted.
    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// A file as a URI: a relative reference for a relative path (what code scanning matches
    /// against the repository, `./` dropped), a `file://` URI for an absolute one; characters
    /// outside a path segment percent-encoded.
    static func uri(_ file: String) -> String {
        var path = file
        while path.hasPrefix("./") { path.removeFirst(2) }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#[]@!$&'()*+,;=:")
        let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }
}

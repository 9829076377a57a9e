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
        var physicalLocation: PhysicalLocation?
        var logicalLocations: [LogicalLocation]?
    }

    struct LogicalLocation: Encodable, Sendable {
        var fullyQualifiedName: String
        var kind = "object"
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
        self.init(findings: diagnostics.map(CIFinding.init), tool: tool, version: version)
    }

    /// A log of `findings` found by `tool`, version `version`: a rule per code, a result per
    /// finding, located in its file (and at its object, when it names one).
    public init(findings: [CIFinding], tool: String, version: String) {
        let codes = Array(Set(findings.map(\.code))).sorted()
        let index = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
        let rules = codes.map { code in
            let described = findings.first { $0.code == code && $0.ruleDescription != nil }?.ruleDescription
            return Rule(
                id: code, shortDescription: Text(text: described ?? CodeDescriptions.text(code)),
                defaultConfiguration: Configuration(
                    level: findings.contains { $0.code == code && $0.level == .error } ? "error" : "warning"))
        }
        let results = findings.map { finding in
            let physical = finding.file.map { file in
                PhysicalLocation(
                    artifactLocation: ArtifactLocation(uri: SARIFLog.uri(file)),
                    region: Region(startLine: max(1, finding.line), startColumn: max(1, finding.column)))
            }
            let logical = finding.object.map { [LogicalLocation(fullyQualifiedName: $0)] }
            return Result(
                ruleId: finding.code, ruleIndex: index[finding.code]!, level: finding.level.rawValue, message: Text(text: finding.message),
                locations: physical == nil && logical == nil ? [] : [Location(physicalLocation: physical, logicalLocations: logical)])
        }
        runs = [Run(tool: Tool(driver: Driver(name: tool, version: version, rules: rules)), results: results)]
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

import Foundation
import Settings

/// Where the server sends OpenLineage events (`openlineage-*` settings): an HTTP endpoint
/// (`openlineage-url`, the collector's full URL such as `http://marquez:5000/api/v1/lineage`,
/// with an optional bearer key read from `openlineage-api-key-file` or
/// `DATAPILOT_OPENLINEAGE_API_KEY`), a JSON-lines file (`openlineage-file`), or both; neither:
/// nothing is emitted. `openlineage-namespace` names DataPilot's jobs and datasets.
public struct OpenLineageSettings: Sendable, Hashable {
    public var url: String?
    public var apiKey: String?
    public var apiKeyFile: String?
    public var file: String?
    public var namespace = "datapilot"
    /// Tries per event before it is given up (retries with backoff in between).
    public var attempts = 8

    public init() {}

    public var enabled: Bool { url != nil || file != nil }

    public static let keys = [
        "openlineage-url", "openlineage-api-key", "openlineage-api-key-file", "openlineage-file", "openlineage-namespace",
        "openlineage-attempts",
    ]

    /// The API key is a secret: a file or the environment, never the config file.
    public static let fileForbidden = [
        "openlineage-api-key": "put the OpenLineage API key in a file (openlineage-api-key-file) or DATAPILOT_OPENLINEAGE_API_KEY"
    ]

    public mutating func set(_ key: String, _ value: String, from origin: String) throws {
        switch key {
        case "openlineage-url":
            guard let components = URLComponents(string: value), ["http", "https"].contains(components.scheme ?? ""),
                components.host?.isEmpty == false
            else {
                throw SettingError(
                    "\(origin): openlineage-url must be an http(s) URL such as http://marquez:5000/api/v1/lineage, got \"\(value)\"")
            }
            url = value
        case "openlineage-api-key": apiKey = value
        case "openlineage-api-key-file": apiKeyFile = value
        case "openlineage-file":
            guard value.hasPrefix("/") else { throw SettingError("\(origin): openlineage-file must be an absolute path, got \"\(value)\"") }
            file = value
        case "openlineage-namespace":
            guard !value.isEmpty, value.count <= 256, !value.contains(where: \.isWhitespace) else {
                throw SettingError("\(origin): openlineage-namespace must be 1 to 256 characters without spaces, got \"\(value)\"")
            }
            namespace = value
        case "openlineage-attempts":
            guard let n = Int(value), (1...100).contains(n) else {
                throw SettingError("\(origin): openlineage-attempts must be a whole number from 1 to 100, got \"\(value)\"")
            }
            attempts = n
        default:
            throw SettingError("\(origin): unknown setting \(key)")
        }
    }

    /// The bearer key from the setting or its file, if any (never logged).
    public func resolvedAPIKey() throws -> String? {
        if let apiKey, !apiKey.isEmpty { return apiKey }
        guard let apiKeyFile else { return nil }
        guard let data = FileManager.default.contents(atPath: apiKeyFile), let text = String(data: data, encoding: .utf8) else {
            throw SettingError("cannot read the OpenLineage API key file \(apiKeyFile)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

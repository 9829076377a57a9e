import Foundation
import Manifests

/// Settings with one name each that `DATAPILOT_*` environment variables can set: `port` is
/// `DATAPILOT_PORT`. The reconciler's settings are these (its file is a sources file of its own).
public protocol EnvironmentSettings {
    /// Every setting's name.
    static var keys: [String] { get }
    /// Applies `key = value`; throws a `SettingError` naming the key, `origin` and what it takes.
    mutating func set(_ key: String, _ value: String, from origin: String) throws
}

/// Settings that take their values in layers: a YAML file of `setting: value`, then `DATAPILOT_*`
/// environment variables, then flags, each overriding the one before. A setting has one name in
/// all three: `port` in the file, `DATAPILOT_PORT` in the environment, `--port` on the command line.
public protocol LayeredSettings: EnvironmentSettings {
    /// Settings that hold secrets: never taken from the file, which is shared and checked in.
    static var fileForbidden: [String: String] { get }
}

extension LayeredSettings {
    public static var fileForbidden: [String: String] { [:] }

    /// File, then environment, then flags; a flag left out (nil) leaves the value before it.
    public mutating func layer(file: String?, environment: [String: String], flags: [(String, String?)]) throws {
        if let file { try load(file: file) }
        try load(environment: environment)
        for case let (key, value?) in flags { try set(key, value, from: "--\(key)") }
    }

    /// Reads a YAML mapping of `setting: value` (single values only).
    public mutating func load(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingError("cannot read the config file \(path); check the path and that this user may read it")
        }
        let value: JSONValue
        switch JSONText.parse(Array(data)) {
        case .success(let parsed): value = parsed
        case .failure(let error): throw SettingError("\(path):\(error.line):\(error.column): not valid YAML: \(error.message)")
        }
        guard case .object(let members) = value else {
            throw SettingError("\(path) must be a mapping of settings (e.g. `port: 8080`)")
        }
        for member in members {
            let text: String
            switch member.value {
            case .string(let s): text = s
            case .int(let i): text = String(i)
            case .bool(let b): text = String(b)
            case .double(let d): text = String(d)
            default: throw SettingError("\(path): \(member.key) must be a single value")
            }
            if let instead = Self.fileForbidden[member.key] { throw SettingError("\(path): \(instead)") }
            try set(member.key, text, from: path)
        }
    }
}

extension EnvironmentSettings {
    /// Applies the `DATAPILOT_<SETTING>` variables that are set; an empty one counts as unset,
    /// as a manifest's `value: ""` or a compose file's `${X:-}` means.
    public mutating func load(environment: [String: String]) throws {
        for key in Self.keys {
            let name = environmentName(key)
            if let value = environment[name], !value.isEmpty { try set(key, value, from: name) }
        }
    }

    /// An unknown setting: the error lists the known ones and suggests the nearest.
    public static func unknown(_ key: String, from origin: String) -> SettingError {
        SettingError(
            "\(origin): unknown setting \"\(key)\"" + Suggest.hint(for: key, in: keys) + "; settings are " + keys.joined(separator: ", "))
    }

    /// A whole number in `range`, or an error naming the setting and the range.
    public static func number<T: FixedWidthInteger>(_ key: String, _ value: String, _ range: ClosedRange<T>, from origin: String) throws
        -> T
    {
        guard let n = T(value), range.contains(n) else {
            throw SettingError("\(origin): \(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(value)\"")
        }
        return n
    }

    /// `true` or `false`.
    public static func flag(_ key: String, _ value: String, from origin: String) throws -> Bool {
        guard ["true", "false"].contains(value) else { throw SettingError("\(origin): \(key) must be true or false, got \"\(value)\"") }
        return value == "true"
    }
}

/// `DATAPILOT_MAX_CONNECTIONS` for `max-connections`.
public func environmentName(_ key: String) -> String {
    "DATAPILOT_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
}

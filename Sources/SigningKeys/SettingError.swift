/// A setting of the server's configuration that cannot be used: the text names the setting,
/// where it came from when known, and what it takes. The configuration layer (file, DATAPILOT_*,
/// flags) reports it as it is.
public struct SettingError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

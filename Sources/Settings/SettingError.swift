/// A setting that cannot be used: the text names the setting, where it came from (a file, a
/// `DATAPILOT_*` variable, a flag) and what it takes. Both executables report it as it is and
/// exit with a usage error.
public struct SettingError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A user-facing failure: printed as `Error: ...` with exit status 1.
public struct CLIError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A failure printed as `Error: ...` with a chosen exit code (diff's and plan's errors are 2).
public struct CommandFailure: Error, CustomStringConvertible {
    public var description: String
    public var code: Int32
    public init(_ description: String, code: Int32) {
        self.description = description
        self.code = code
    }
}

/// Ends a command with an exit code after it has said what it had to say.
public struct CommandExit: Error {
    public var code: Int32
    public init(code: Int32) { self.code = code }
}

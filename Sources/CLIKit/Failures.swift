/// How a command ends other than with success: a message printed as `Error: ...` (none when the
/// command already said what it had to say) and the exit status (1 by default; usage and setup
/// problems 2, as kubectl and diff(1) use them).
public struct CLIError: Error, CustomStringConvertible {
    /// What is printed after `Error: `; empty for a silent exit.
    public var message: String
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Ends the command with `code` after it has said what it had to say.
    public static func exit(_ code: Int32) -> CLIError { CLIError("", exitCode: code) }

    public var description: String { message }
}

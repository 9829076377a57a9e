import ArgumentParser

/// Runs a command line the way both command-line tools do: a `CLIError` prints `Error: ...`
/// with their exit status, and usage errors exit 2, like kubectl's, rather than ArgumentParser's 64.
public enum CommandRunner {
    public static func run<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]) async -> Int32 {
        do {
            var command = try root.parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let failure as CLIError {
            if !failure.message.isEmpty { Terminal.standardError.write("Error: \(failure.message)\n") }
            return failure.exitCode
        } catch {
            let code = root.exitCode(for: error)
            let message = root.fullMessage(for: error)
            if code == .success {
                print(message)
                return 0
            }
            Terminal.standardError.write(message + "\n")
            return code == .validationFailure || code.rawValue == 64 ? 2 : code.rawValue
        }
    }
}

import ArgumentParser

/// Runs a command line the way both command-line tools do: the failures above print `Error: ...`
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
        } catch let exit as CommandExit {
            return exit.code
        } catch let failure as CommandFailure {
            Terminal.standardError.write("Error: \(failure.description)\n")
            return failure.code
        } catch let error as CLIError {
            Terminal.standardError.write("Error: \(error.description)\n")
            return 1
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

import ArgumentParser
import CLIKit
import Foundation
import Manifests

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Manage contexts: which server dpctl talks to, with which token.",
        subcommands: [GetContexts.self, CurrentContext.self, UseContext.self, SetContext.self])

    struct GetContexts: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get-contexts", abstract: "List the contexts.")
        @Option(name: [.customShort("o"), .long], help: "Output format: table or json.") var output: String = "table"

        func run() throws {
            let config = try ClientConfig.load()
            if output == "json" {
                let items = config.contexts.map { c -> JSONValue in
                    [
                        "name": .string(c.name), "server": .string(c.server), "current": .bool(c.name == config.currentContext),
                        "auth": .string(c.tokenFile.map { "token-file \($0)" } ?? (c.token == nil ? "none" : "token")),
                    ]
                }
                print(JSONValue.array(items).jsonString(pretty: true))
                return
            }
            let rows = config.contexts.map { c in
                [
                    c.name == config.currentContext ? "*" : "", c.name, c.server,
                    c.tokenFile.map { "token-file \($0)" } ?? (c.token == nil ? "none" : "token"),
                ]
            }
            print(
                Table(header: ["CURRENT", "NAME", "SERVER", "AUTH"], rows: rows).render(width: Terminal.standardOutput.width),
                terminator: "")
        }
    }

    struct CurrentContext: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "current-context", abstract: "Print the current context.")
        func run() throws {
            guard let name = try ClientConfig.load().currentContext else {
                throw CLIError("no current context; set one with dpctl config use-context NAME")
            }
            print(name)
        }
    }

    struct UseContext: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "use-context", abstract: "Make a context the current one.")
        @Argument var name: String
        func run() throws {
            var config = try ClientConfig.load()
            guard config.contexts.contains(where: { $0.name == name }) else {
                throw CLIError(
                    "no context \"\(name)\"" + Suggest.hint(for: name, in: config.contexts.map(\.name))
                        + "; create it with dpctl config set-context \(name) --server URL")
            }
            config.currentContext = name
            try config.save()
            print("Switched to context \"\(name)\".")
        }
    }

    struct SetContext: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-context", abstract: "Create or change a context.")
        @Argument var name: String
        @Option(help: "The gateway's URL, e.g. http://127.0.0.1:8080.") var server: String?
        @Option(name: .customLong("token-file"), help: "A file holding the token or API key (preferred over --token).") var tokenFile:
            String?
        @Option(help: "The token or API key itself (stored in the config file).") var token: String?

        func validate() throws {
            if let server, !(server.hasPrefix("http://") || server.hasPrefix("https://")) {
                throw ValidationError("--server must be an http:// or https:// URL, got \"\(server)\"")
            }
            if tokenFile != nil && token != nil { throw ValidationError("give --token-file or --token, not both") }
        }

        func run() throws {
            var config = try ClientConfig.load()
            var context = config.contexts.first { $0.name == name } ?? ClientConfig.Context(name: name, server: "")
            if let server { context.server = server }
            guard !context.server.isEmpty else { throw CLIError("a new context needs --server URL") }
            if let tokenFile {
                context.tokenFile = tokenFile
                context.token = nil
            }
            if let token {
                context.token = token
                context.tokenFile = nil
            }
            if let i = config.contexts.firstIndex(where: { $0.name == name }) {
                config.contexts[i] = context
            } else {
                config.contexts.append(context)
            }
            if config.currentContext == nil { config.currentContext = name }
            try config.save()
            print("Context \"\(name)\" set.")
        }
    }
}

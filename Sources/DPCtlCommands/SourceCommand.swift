import APIClient
import APIModel
import ArgumentParser
import CLIKit
import Foundation
import Manifests

/// `dpctl source`: the operator controls of the reconciler's git sources, as Argo CD and Flux
/// users know them: list, suspend, resume, sync now, history, rollback to an applied commit, unpin.
struct SourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "List, suspend, resume, sync and roll back the reconciler's git sources.",
        discussion: """
            Talks to the reconciler's port (--reconciler or DATAPILOT_RECONCILER), or to it through the \
            gateway (--reconciler http://gateway:8080/api/reconciler, which needs a token for reads too). Controls send the \
            context's token, which the reconciler checks with the DataPilot server: sync needs the \
            editor role, suspend, resume, rollback and unpin the admin role; each is audited as \
            source-<action> on source/NAME naming who asked.
            """,
        subcommands: [List.self, Suspend.self, Resume.self, Sync.self, History.self, Rollback.self, Unpin.self])

    /// Where the reconciler is and whose token to send.
    struct Connection: ParsableArguments {
        @Option(help: "The reconciler's address (or DATAPILOT_RECONCILER).") var reconciler: String?
        @Option(help: "The context whose token to send (see dpctl config get-contexts).") var context: String?

        var address: String {
            reconciler ?? ProcessInfo.processInfo.environment["DATAPILOT_RECONCILER"] ?? "http://127.0.0.1:8090"
        }

        /// Sends one request to the reconciler; errors name the reconciler and the problem. Reads
        /// send the context's token too when there is one: the reconciler ignores it, and the
        /// gateway's `/api/reconciler` prefix (`--reconciler http://gateway:8080/api/reconciler`) needs it.
        func send(_ method: String, _ path: String, json: JSONValue? = nil, authenticated: Bool) async throws -> JSONValue {
            let token = authenticated ? try Target.resolve(context: context).token : (try? Target.resolve(context: context))?.token
            do {
                return try await APIClient(server: address, token: token, maxAttempts: method == "GET" ? 4 : 1)
                    .send(method, path, json: json).json
            } catch let error as APIError {
                if error.code == .unreachable {
                    throw CLIError(
                        "cannot reach the reconciler at \(address); is `dpctl reconcile` running? (--reconciler or DATAPILOT_RECONCILER)")
                }
                let detail = error.problem?.detail ?? error.message
                if error.status == 401, token == nil {
                    throw CLIError("\(detail)\n(no token: set one in the context, dpctl config set-context, or DATAPILOT_TOKEN)")
                }
                throw CLIError(detail)
            }
        }
    }

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the sources: suspended or pinned, the replica holding each, the last applied commit.")

        @OptionGroup var connection: Connection
        @Option(name: [.customShort("o"), .long], help: "Output: table or json.") var output: Output = .table

        func run() async throws {
            let answer = try await connection.send("GET", "/sources", authenticated: false)
            let sources = answer["sources"]?.arrayValue ?? []
            if let error = answer["config"]?["error"]?.stringValue {
                Terminal.standardError.write("warning: the newest sources file was refused, the previous one runs: \(error)\n")
            }
            if output == .json {
                Terminal.standardOutput.write(answer.jsonString(pretty: true) + "\n")
                return
            }
            if sources.isEmpty {
                print("No sources.")
                return
            }
            let rows = sources.map { s -> [String] in
                let state =
                    s["suspended"] == true
                    ? "suspended" : s["pinnedCommit"]?.stringValue.map { "pinned " + String($0.prefix(12)) } ?? "active"
                return [
                    s["name"]?.stringValue ?? "", state, s["owner"]?.stringValue ?? "-",
                    String((s["lastAppliedCommit"]?.stringValue ?? "-").prefix(12)), s["result"]?.stringValue ?? "pending",
                    s["health"]?.stringValue ?? "-",
                    String((s["heldBackCommit"]?.stringValue ?? "-").prefix(12)), GetCommand.age(s["appliedAt"]?.stringValue),
                ]
            }
            let header = ["SOURCE", "STATE", "HOLDER", "APPLIED", "RESULT", "HEALTH", "HELD BACK", "APPLIED AGE"]
            Terminal.standardOutput.write(Table(header: header, rows: rows).render(width: Terminal.standardOutput.width))
        }
    }

    /// One control: POST /sources/NAME/ACTION, then a line saying what happened.
    static func control(_ action: String, _ name: String, _ connection: Connection, body: JSONValue? = nil) async throws -> JSONValue {
        guard StringFormat.dnsSubdomain.accepts(name), !name.contains(".") else {
            throw CLIError("\"\(name)\" is not a source name (lower-case letters, digits and '-')", exitCode: 2)
        }
        return try await connection.send("POST", "/sources/\(APIPath.segment(name))/\(action)", json: body, authenticated: true)
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop syncing a source (new commits are not applied, drift is not scanned) until resumed. Needs admin.")
        @OptionGroup var connection: Connection
        @Argument(help: "The source.") var name: String

        func run() async throws {
            _ = try await SourceCommand.control("suspend", name, connection)
            print("source \(name) suspended")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sync a suspended source again, at once. Needs admin.")
        @OptionGroup var connection: Connection
        @Argument(help: "The source.") var name: String

        func run() async throws {
            _ = try await SourceCommand.control("resume", name, connection)
            print("source \(name) resumed")
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Poll a source now, through the replica holding it, and apply its head if it moved. Needs editor.")
        @OptionGroup var connection: Connection
        @Argument(help: "The source.") var name: String

        func run() async throws {
            let answer = try await SourceCommand.control("sync", name, connection)
            print("source \(name): sync requested\(answer["forwarded"] == true ? " (through the replica holding it)" : "")")
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pin a source to a commit it applied before and apply it again, until dpctl source unpin. Needs admin.")
        @OptionGroup var connection: Connection
        @Argument(help: "The source.") var name: String
        @Option(help: "The commit (7 to 40 hexadecimal digits) the source applied, see dpctl source history.") var to: String

        func validate() throws {
            guard (7...40).contains(to.count), to.allSatisfy(\.isHexDigit) else {
                throw ValidationError("--to \"\(to)\" is not a commit id (7 to 40 hexadecimal digits)")
            }
        }

        func run() async throws {
            let answer = try await SourceCommand.control("rollback", name, connection, body: .object([JSONMember("commit", .string(to))]))
            print("source \(name) pinned to \(answer["pinnedCommit"]?.stringValue ?? to); unpin with dpctl source unpin \(name)")
        }
    }

    struct Unpin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Follow the source's ref again after a rollback. Needs admin.")
        @OptionGroup var connection: Connection
        @Argument(help: "The source.") var name: String

        func run() async throws {
            _ = try await SourceCommand.control("unpin", name, connection)
            print("source \(name) unpinned; it follows its ref again")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A source's syncs, newest first: commit, author, result, what changed.")
        @OptionGroup var connection: Connection
        @Option(name: [.customShort("o"), .long], help: "Output: table or json.") var output: Output = .table
        @Option(help: "At most this many syncs (1-50).") var limit = 20
        @Argument(help: "The source.") var name: String

        func validate() throws {
            guard (1...50).contains(limit) else { throw ValidationError("--limit must be between 1 and 50, got \(limit)") }
        }

        func run() async throws {
            guard StringFormat.dnsSubdomain.accepts(name), !name.contains(".") else {
                throw CLIError("\"\(name)\" is not a source name (lower-case letters, digits and '-')", exitCode: 2)
            }
            let answer = try await connection.send(
                "GET", "/sources/\(APIPath.segment(name))/history?limit=\(limit)", authenticated: false)
            let syncs = answer["syncs"]?.arrayValue ?? []
            if output == .json {
                Terminal.standardOutput.write(answer.jsonString(pretty: true) + "\n")
                return
            }
            if syncs.isEmpty {
                print("No syncs of source \"\(name)\" yet.")
                return
            }
            let style = Style(enabled: Terminal.standardOutput.isColorful)
            let rows = syncs.map { s -> [String] in
                let result = s["result"]?.stringValue ?? "?"
                let counts = (s["counts"]?.objectValue ?? []).map { "\($0.key)=\(Int($0.value.numberValue ?? 0))" }
                return [
                    GetCommand.age(s["startedAt"]?.stringValue), String((s["commit"]?.stringValue ?? "-").prefix(12)),
                    s["author"]?.stringValue ?? "-", result == "synced" ? style.green(result) : style.red(result),
                    s["health"]?.stringValue ?? "-", counts.isEmpty ? "-" : counts.joined(separator: ","),
                    (s["error"]?.stringValue ?? s["message"]?.stringValue ?? "").split(separator: "\n").first.map(String.init) ?? "",
                ]
            }
            let header = ["AGE", "COMMIT", "AUTHOR", "RESULT", "HEALTH", "CHANGES", "MESSAGE/ERROR"]
            Terminal.standardOutput.write(Table(header: header, rows: rows).render(width: Terminal.standardOutput.width))
        }
    }
}

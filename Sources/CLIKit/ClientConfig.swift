import Foundation
import Manifests

/// dpctl's contexts (datapilot-reconciler reads them too), kubeconfig-style: `~/.datapilot/config.yaml` (or `$DATAPILOT_CONFIG`).
///
///     current-context: local
///     contexts:
///       - name: local
///         server: http://127.0.0.1:8080
///         token-file: /home/me/.datapilot/token
public struct ClientConfig {
    public struct Context: Equatable {
        public var name: String
        public var server: String
        public var token: String?
        public var tokenFile: String?

        public init(name: String, server: String, token: String? = nil, tokenFile: String? = nil) {
            self.name = name
            self.server = server
            self.token = token
            self.tokenFile = tokenFile
        }
    }

    public var currentContext: String?
    public var contexts: [Context] = []

    public init(currentContext: String? = nil, contexts: [Context] = []) {
        self.currentContext = currentContext
        self.contexts = contexts
    }

    public static var path: String {
        if let path = ProcessInfo.processInfo.environment["DATAPILOT_CONFIG"], !path.isEmpty { return path }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".datapilot/config.yaml").path
    }

    public static func load() throws -> ClientConfig {
        guard let data = FileManager.default.contents(atPath: path) else { return ClientConfig() }
        guard case .success(let value) = JSONText.parse(Array(data)), case .object = value else {
            throw CLIError("\(path) is not a YAML mapping; fix or remove it (dpctl config set-context rewrites it)")
        }
        var config = ClientConfig(currentContext: value["current-context"]?.stringValue)
        for (i, item) in (value["contexts"]?.arrayValue ?? []).enumerated() {
            guard let name = item["name"]?.stringValue, let server = item["server"]?.stringValue else {
                throw CLIError("\(path): contexts[\(i)] needs a name and a server")
            }
            config.contexts.append(
                Context(
                    name: name, server: server, token: item["token"]?.stringValue,
                    tokenFile: item["token-file"]?.stringValue))
        }
        return config
    }

    public func save() throws {
        let url = URL(fileURLWithPath: Self.path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var members: [JSONMember] = []
        if let currentContext { members.append(JSONMember("current-context", .string(currentContext))) }
        members.append(
            JSONMember(
                "contexts",
                .array(
                    contexts.map { context in
                        var fields = [JSONMember("name", .string(context.name)), JSONMember("server", .string(context.server))]
                        if let token = context.token { fields.append(JSONMember("token", .string(token))) }
                        if let file = context.tokenFile { fields.append(JSONMember("token-file", .string(file))) }
                        return .object(fields)
                    })))
        try Data(YAMLEmitter.emit(.object(members)).utf8).write(to: url, options: .atomic)
        // It may hold tokens: readable by its owner only.
        chmod(url.path, 0o600)
    }
}

/// Where a command sends its requests: `--context`, then the current context, then
/// `DATAPILOT_SERVER` / `DATAPILOT_TOKEN`, which override either.
public struct Target {
    public var server: String
    public var token: String?

    public static func resolve(context name: String?) throws -> Target {
        let environment = ProcessInfo.processInfo.environment
        let config = try ClientConfig.load()
        var target = Target(server: "http://127.0.0.1:8080", token: nil)
        if let wanted = name ?? config.currentContext {
            guard let context = config.contexts.first(where: { $0.name == wanted }) else {
                throw CLIError("no context \"\(wanted)\" in \(ClientConfig.path); list them with dpctl config get-contexts")
            }
            target.server = context.server
            target.token = context.token
            if let file = context.tokenFile {
                guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                    throw CLIError("cannot read the token file \(file) of context \"\(wanted)\"")
                }
                target.token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        if let server = environment["DATAPILOT_SERVER"], !server.isEmpty { target.server = server }
        if let token = environment["DATAPILOT_TOKEN"], !token.isEmpty { target.token = token }
        return target
    }
}

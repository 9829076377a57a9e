import Foundation
import GitSource
import Manifests
import Notifications
import Redaction
import Settings
import SyncEngine

/// One git source to reconcile, as the sources file or the flags describe it.
public struct SourceConfiguration: Sendable, Hashable {
    public var spec: SourceSpec
    /// Seconds between polls (each with up to 10% jitter).
    public var interval: Double
    /// Seconds between drift scans while the commit does not change: live state compared with
    /// the last applied commit, each drifted object reported, healed or ignored by its mode.
    public var resync: Double
    /// The drift mode of objects without a `datapilot.io/drift` annotation.
    public var drift: DriftMode
    public var prune: Bool
    public var maxDeletes: Int
    /// The shared secret of webhooks for this source; none disables them.
    public var webhookSecret: String?
    /// Whether runs with `spec.execute: true` are applied from this source (`execute: allowed`);
    /// off by default: a commit with one is refused as invalid.
    public var executeAllowed = false
    /// How the head commit must be signed (`verify:`); nil: signatures are not checked.
    public var verify: CommitVerification?
    /// Where syncs and drift are reported (`notify:`): commit statuses, webhooks, Slack.
    public var notify: [TargetSetting] = []
    /// `wait: true`: a sync ends once its objects are no longer Progressing (evaluations done,
    /// runs it started finished), or after `wait-timeout` (default 5m), as Flux's `wait` does.
    public var waitForHealth = false
    public var waitTimeout: Double = 300

    public var name: String { spec.name }

    public init(
        spec: SourceSpec, interval: Double = 60, resync: Double = 600, prune: Bool = false, maxDeletes: Int = 10,
        webhookSecret: String? = nil,
        drift: DriftMode = .report
    ) {
        self.spec = spec
        self.drift = drift
        self.interval = interval
        self.resync = resync
        self.prune = prune
        self.maxDeletes = maxDeletes
        self.webhookSecret = webhookSecret
    }
}

/// What the reconciler needs: the sources, the server, its own database, where it listens.
public struct ReconcilerConfiguration: Sendable {
    public var sources: [SourceConfiguration]
    public var server: String?
    public var token: String?
    public var databaseURL: String
    public var host = "127.0.0.1"
    public var port = 8090
    public var cacheDirectory: String
    /// Sync every source once and exit (for scripts and tests).
    public var once = false
    /// This replica's name in status (hostname:pid by default).
    public var replica: String
    /// The secret files and variables the settings name (`*-file`, `*-env`), for `--check`.
    public var secretReferences: [String] = []
    /// The sources file, and how to read its sources again (on change or SIGHUP, `SourcesReloader`);
    /// nil when the sources came from flags.
    public var sourcesFile: String?
    public var reload: (@Sendable () throws -> [SourceConfiguration])?
    /// Seconds each request to the server may take, uploads included (`api-timeout`); a request
    /// that times out is retried as an unreachable server is, up to 4 attempts when safe.
    public var apiTimeoutSeconds = 60

    public init(sources: [SourceConfiguration], server: String?, token: String?, databaseURL: String, cacheDirectory: String) {
        self.sources = sources
        self.server = server
        self.token = token
        self.databaseURL = databaseURL
        self.cacheDirectory = cacheDirectory
        replica = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }
}

extension ReconcilerConfiguration: EnvironmentSettings {
    /// Reads a sources file:
    ///
    ///     database-url: postgres://datapilot@127.0.0.1:5432/datapilot
    ///     listen: 127.0.0.1:8090
    ///     sources:
    ///       - name: examples
    ///         url: https://git.example.com/ml/manifests.git
    ///         ref: refs/heads/main
    ///         path: examples
    ///         interval: 30s
    ///         prune: true
    ///         auth: {username: ci, password-file: /run/secrets/git-token}
    ///         webhook-secret-file: /run/secrets/hook
    ///         verify: {provider: gpg, keys-file: /run/secrets/git-signers/keys.asc}
    ///
    /// Secrets come from files or environment variables (`*-file`, `*-env`), never inline.
    /// Layers, each overriding the one before: the file, then `DATAPILOT_DATABASE_URL`,
    /// `DATAPILOT_LISTEN` and `DATAPILOT_CACHE_DIR` (`load(environment:)`), then
    /// `databaseURL` (the flag). `checkOnly` reads no secret (their files exist only where the
    /// reconciler runs, e.g. mounted in its pod) and lets the database URL be missing.
    public static func load(
        file path: String, environment: [String: String], databaseURL flag: String? = nil,
        checkOnly: Bool = false
    ) throws -> ReconcilerConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingError("cannot read the sources file \(path)")
        }
        let value: JSONValue
        switch JSONText.parse(Array(data)) {
        case .success(let parsed): value = parsed
        case .failure(let error): throw SettingError("\(path):\(error.line):\(error.column): \(error.message)")
        }
        guard value.objectValue != nil else { throw SettingError("\(path): expected a mapping with `sources:`") }
        let known: Set = ["server", "token-file", "token-env", "database-url", "listen", "cache-dir", "api-timeout", "sources"]
        if let unknown = value.objectValue?.first(where: { !known.contains($0.key) }) {
            throw SettingError("\(path): unknown setting \"\(unknown.key)\"\(Suggest.hint(for: unknown.key, in: Array(known)))")
        }
        let secrets = Secrets(environment: environment, file: path, readSecrets: !checkOnly)
        let cache =
            value["cache-dir"]?.stringValue
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".datapilot/reconciler").path
        var configuration = ReconcilerConfiguration(
            sources: [], server: value["server"]?.stringValue,
            token: try secrets.read(value, "token", at: "token"),
            databaseURL: value["database-url"]?.stringValue ?? "", cacheDirectory: cache)
        if let listen = value["listen"]?.stringValue { try configuration.listen(listen) }
        if let timeout = value["api-timeout"] {
            try configuration.set("api-timeout", timeout.stringValue ?? timeout.jsonString(), from: path)
        }
        try configuration.load(environment: environment)
        if let flag { configuration.databaseURL = flag }
        guard !configuration.databaseURL.isEmpty || checkOnly else {
            throw SettingError(
                "\(path): database-url is required (or --database-url, or DATAPILOT_DATABASE_URL): the reconciler keeps status, history and leases in Postgres"
            )
        }
        guard let items = value["sources"]?.arrayValue, !items.isEmpty else {
            throw SettingError("\(path): sources: list at least one source (name, url, ref, path)")
        }
        for (index, item) in items.enumerated() {
            configuration.sources.append(try source(item, at: "sources[\(index)]", secrets: secrets))
        }
        try configuration.check()
        configuration.secretReferences = secrets.referenced
        return configuration
    }

    /// The settings a `DATAPILOT_*` variable may set, over the sources file and under the flags
    /// (`server` and the token are resolved by dpctl's context: DATAPILOT_SERVER, DATAPILOT_TOKEN).
    public static let keys = ["database-url", "listen", "cache-dir", "api-timeout"]

    public mutating func set(_ key: String, _ value: String, from origin: String) throws {
        switch key {
        case "database-url": databaseURL = value
        case "listen":
            do { try listen(value) } catch let error as SettingError { throw SettingError("\(origin): \(error.description)") }
        case "cache-dir": cacheDirectory = value
        case "api-timeout":
            guard let seconds = DurationText.seconds(value), seconds >= 1, seconds <= 86_400 else {
                throw SettingError("\(origin): api-timeout: \"\(value)\" is not a duration from 1s to 24h such as 30s or 5m")
            }
            apiTimeoutSeconds = Int(seconds.rounded(.up))
        default: throw Self.unknown(key, from: origin)
        }
    }

    public mutating func listen(_ address: String) throws {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port)
        else {
            throw SettingError("listen: expected HOST:PORT such as 127.0.0.1:8090, got \"\(address)\"")
        }
        host = String(address[..<colon])
        self.port = port
    }

    /// Names unique and well formed, refs full, intervals sane.
    public func check() throws {
        var seen: Set<String> = []
        for source in sources {
            guard seen.insert(source.name).inserted else {
                throw SettingError("source \"\(source.name)\" is listed twice; names must be unique")
            }
        }
    }

    static func source(_ item: JSONValue, at where_: String, secrets: Secrets) throws -> SourceConfiguration {
        let known: Set = [
            "name", "url", "ref", "path", "interval", "resync", "timeout", "prune", "max-deletes", "auth",
            "webhook-secret-file", "webhook-secret-env", "drift", "execute", "verify",
            "notify", "wait", "wait-timeout",
        ]
        if let unknown = item.objectValue?.first(where: { !known.contains($0.key) }) {
            throw SettingError(
                "\(secrets.file): \(where_): unknown setting \"\(unknown.key)\"\(Suggest.hint(for: unknown.key, in: Array(known)))")
        }
        func string(_ key: String, default fallback: String? = nil) throws -> String {
            guard let text = item[key]?.stringValue ?? fallback else {
                throw SettingError("\(secrets.file): \(where_).\(key) is required")
            }
            return text
        }
        func duration(_ key: String, default fallback: Double) throws -> Double {
            guard let text = item[key]?.stringValue else { return fallback }
            guard let seconds = DurationText.seconds(text) else {
                throw SettingError("\(secrets.file): \(where_).\(key): \"\(text)\" is not a duration such as 30s, 5m or 1h")
            }
            return seconds
        }
        let auth = try secrets.auth(item["auth"], at: where_ + ".auth")
        let driftText = item["drift"]?.stringValue ?? "report"
        guard let drift = DriftMode(rawValue: driftText) else {
            throw SettingError("\(secrets.file): \(where_).drift: \"\(driftText)\" is not one of report, heal, ignore")
        }
        let execute = item["execute"].map { $0.stringValue ?? $0.jsonString() } ?? "denied"
        guard ["allowed", "denied"].contains(execute) else {
            throw SettingError(
                "\(secrets.file): \(where_).execute: \"\(execute)\" is not one of allowed, denied (runs with spec.execute: true from this source)"
            )
        }
        let spec = SourceSpec(
            name: try string("name"), url: try string("url"), ref: try string("ref", default: "refs/heads/main"),
            path: try string("path", default: ""), auth: auth, timeoutSeconds: Int(try duration("timeout", default: 60)))
        try Self.validate(spec, at: where_, file: secrets.file)
        var source = SourceConfiguration(
            spec: spec, interval: try duration("interval", default: 60), resync: try duration("resync", default: 600),
            prune: item["prune"]?.boolValue ?? false, maxDeletes: Int(item["max-deletes"]?.numberValue ?? 10),
            webhookSecret: try secrets.read(item, "webhook-secret", at: where_ + ".webhook-secret"), drift: drift)
        source.executeAllowed = execute == "allowed"
        source.verify = try secrets.verification(item["verify"], at: where_ + ".verify", source: spec.name)
        source.notify = try secrets.notifications(item["notify"], at: where_ + ".notify", source: spec.name)
        if let wait = item["wait"] {
            guard let flag = wait.boolValue else {
                throw SettingError("\(secrets.file): \(where_).wait: true or false, got \(wait.jsonString())")
            }
            source.waitForHealth = flag
        }
        source.waitTimeout = try duration("wait-timeout", default: 300)
        guard source.waitTimeout >= 1, source.waitTimeout <= 86_400 else {
            throw SettingError("\(secrets.file): \(where_).wait-timeout: between 1s and 24h")
        }
        return source
    }

    public static func validate(_ spec: SourceSpec, at where_: String, file: String) throws {
        guard StringFormat.dnsSubdomain.accepts(spec.name), !spec.name.contains(".") else {
            throw SettingError(
                "\(file): \(where_).name \"\(spec.name)\": lower-case letters, digits and '-', starting with a letter or digit")
        }
        let isCommit = spec.ref.count == 40 && spec.ref.allSatisfy(\.isHexDigit)
        guard spec.ref.hasPrefix("refs/") || isCommit else {
            throw SettingError(
                "\(file): \(where_).ref \"\(spec.ref)\": give a full ref name (refs/heads/\(spec.ref), refs/tags/\(spec.ref)) or a 40-character commit id"
            )
        }
        guard ["file://", "git://", "http://", "https://", "ssh://"].contains(where: { spec.url.hasPrefix($0) }) else {
            throw SettingError(
                "\(file): \(where_).url \"\(Redact.credentials(spec.url))\": use a file://, git://, http(s):// or ssh:// URL")
        }
        // A credential in the URL would be shown by /status, logs and `--check`: secrets go in files.
        if Redact.hasCredentials(url: spec.url) {
            let settings =
                where_ == "--repo"
                ? "--username and --password-file (or --ssh-key-file)"
                : "\(where_).auth: {username: ..., password-file: FILE} (or password-env: VARIABLE; ssh-key-file for SSH)"
            throw SettingError(
                "\(file): \(where_).url \"\(Redact.credentials(spec.url))\" carries credentials; "
                    + "remove them from the URL and give them with \(settings), see docs/reconciler.md")
        }
        guard spec.timeoutSeconds >= 1 else { throw SettingError("\(file): \(where_).timeout must be at least 1s") }
    }
}

/// Secrets named by `<key>-file` or `<key>-env`; never inline in the file. Without
/// `readSecrets` (`--check`), only the references are collected and checked for shape.
final class Secrets {
    let environment: [String: String]
    let file: String
    let readSecrets: Bool
    var referenced: [String] = []

    init(environment: [String: String], file: String, readSecrets: Bool = true) {
        self.environment = environment
        self.file = file
        self.readSecrets = readSecrets
    }

    func read(_ item: JSONValue, _ key: String, at where_: String) throws -> String? {
        if item[key] != nil {
            throw SettingError(
                "\(file): \(where_): put secrets in a file (\(key)-file) or an environment variable (\(key)-env), not in the sources file")
        }
        if !readSecrets {
            for suffix in ["-file", "-env"] {
                guard let reference = item[key + suffix] else { continue }
                guard let text = reference.stringValue, !text.isEmpty else {
                    throw SettingError("\(file): \(where_)\(suffix): expected a \(suffix == "-file" ? "path" : "variable name")")
                }
                referenced.append("\(where_)\(suffix): \(text)")
                return ""
            }
            return nil
        }
        if let path = item[key + "-file"]?.stringValue {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw SettingError("\(file): \(where_)-file: cannot read \(path)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let name = item[key + "-env"]?.stringValue {
            guard let value = environment[name], !value.isEmpty else {
                throw SettingError("\(file): \(where_)-env: the environment variable \(name) is not set")
            }
            return value
        }
        return nil
    }

    func auth(_ item: JSONValue?, at where_: String) throws -> GitAuth {
        guard let item else { return .none }
        let username = item["username"]?.stringValue
        if let keyFile = item["ssh-key-file"]?.stringValue {
            guard let knownHosts = item["known-hosts-file"]?.stringValue else {
                throw SettingError("\(file): \(where_): known-hosts-file is required with ssh-key-file: host keys are always checked")
            }
            if !readSecrets { referenced += ["\(where_).ssh-key-file: \(keyFile)", "\(where_).known-hosts-file: \(knownHosts)"] }
            return .sshKey(
                username: username ?? "git", privateKeyPath: keyFile, privateKey: nil,
                passphrase: try read(item, "passphrase", at: where_ + ".passphrase"), knownHostsPath: knownHosts)
        }
        if let password = try read(item, "password", at: where_ + ".password") {
            return .basic(username: username ?? "git", password: password)
        }
        throw SettingError("\(file): \(where_): give password-file/password-env (HTTPS) or ssh-key-file and known-hosts-file (SSH)")
    }
}

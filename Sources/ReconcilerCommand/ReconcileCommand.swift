import ArgumentParser
import CLIKit
import Foundation
import GitSource
import LogSetup
import Logging
import Manifests
import Reconciler
import Redaction
import Settings
import SyncEngine

/// `datapilot-reconciler` (also run as `dpctl reconcile`): keep the control plane in step with git.
public struct ReconcileCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "datapilot-reconciler",
        abstract: "Watch git repositories and keep the server in step with their manifests.",
        discussion: """
            Sources come from a sources file (--config, see docs/reconciler.md) or, for one source, \
            from --repo, --ref and --path. Each poll runs ls-remote first and fetches only when the \
            commit changed; an invalid commit is never applied (the last good one stays). Status and \
            history live in Postgres (--database-url); replicas split the sources between them \
            through a lock per source. The port (--listen) serves /status, /healthz, /readyz, \
            /metrics and POST /hooks/SOURCE for GitHub, GitLab and HMAC-signed webhooks.

            Settings come from the sources file, then DATAPILOT_DATABASE_URL, DATAPILOT_LISTEN, \
            DATAPILOT_CACHE_DIR, DATAPILOT_API_TIMEOUT, DATAPILOT_SERVER and DATAPILOT_TOKEN, then \
            flags (flags win). \
            --check reads the sources file as the reconciler would, reports what it found and \
            exits (0 valid, 2 invalid) without reading secrets or connecting anywhere. Logs are \
            JSON lines unless stderr is a terminal (DATAPILOT_LOG_FORMAT=json|text, DATAPILOT_LOG_LEVEL).
            """)

    @Option(help: "A sources file (YAML).") var config: String?
    @Option(help: "One source's repository URL (file://, git://, http(s)://, ssh://).") var repo: String?
    @Option(help: "Its full ref name or commit id.") var ref = "refs/heads/main"
    @Option(help: "The folder in the repository holding the manifests.") var path = ""
    @Option(help: "The source's name (and its apply set's).") var name: String?
    @Option(help: "Time between polls, e.g. 30s or 5m.") var interval = "60s"
    @Option(help: "Time between drift scans while the commit is unchanged (live state against the applied commit).") var resync = "10m"
    @Option(help: "What drift does to objects without a datapilot.io/drift annotation: report, heal or ignore.") var drift = "report"
    @Option(help: "Network timeout for each git operation.") var timeout = "60s"
    @Option(
        help:
            "Runs with spec.execute: true from this source: denied (default; the commit is refused) or allowed (anyone who can push to the ref starts code; the reconciler's key needs the executor role)."
    ) var execute = "denied"
    @Flag(help: "Delete objects that left the repository (guarded; see dpctl apply --prune).") var prune = false
    @Option(help: "With --prune: refuse to delete more objects than this per sync.") var maxDeletes = 10
    @Option(help: "HTTPS username.") var username: String?
    @Option(help: "A file holding the HTTPS password or token.") var passwordFile: String?
    @Option(help: "A file holding an SSH private key.") var sshKeyFile: String?
    @Option(help: "The known_hosts file SSH host keys are checked against (required with --ssh-key-file).") var knownHostsFile: String?
    @Option(help: "A file holding the webhook secret.") var webhookSecretFile: String?
    @Option(help: "Postgres for status, history and leases (or DATAPILOT_DATABASE_URL).") var databaseURL: String?
    @Option(help: "HOST:PORT for /status, /metrics and webhooks.") var listen: String?
    @Option(help: "Where bare repository caches are kept.") var cacheDir: String?
    @Option(
        help: "How long each request to the DataPilot server may take, uploads included (default 60s; safe requests are tried 4 times).")
    var apiTimeout: String?
    @Flag(help: "Sync every source once and exit: 0 when all synced, 1 otherwise.") var once = false
    @Option(help: "The context whose server and token to use (see dpctl config get-contexts).") var context: String?
    @Flag(help: "Check the sources file (--config) and exit: 0 when the reconciler would accept it, 2 otherwise.") var check = false

    public init() {}

    /// Parses and runs a command line, returning the process exit code (usage errors exit 2).
    public static func main(arguments: [String]) async -> Int32 {
        await CommandRunner.run(ReconcileCommand.self, arguments: arguments)
    }

    public func validate() throws {
        if config == nil && repo == nil { throw ValidationError("give a sources file with --config FILE, or one source with --repo URL") }
        if config != nil && repo != nil { throw ValidationError("give --config or --repo, not both") }
        if check && config == nil { throw ValidationError("--check checks a sources file: give it with --config FILE") }
        if sshKeyFile != nil && knownHostsFile == nil {
            throw ValidationError("--ssh-key-file needs --known-hosts-file: SSH host keys are always checked")
        }
    }

    public func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var settings: ReconcilerConfiguration
        do {
            if let config {
                settings = try ReconcilerConfiguration.load(
                    file: config, environment: environment, databaseURL: databaseURL, checkOnly: check)
            } else {
                settings = try singleSource(environment: environment)
                try settings.load(environment: environment)
            }
            if let databaseURL { settings.databaseURL = databaseURL }
            if let listen { try settings.listen(listen) }
            if let cacheDir { settings.cacheDirectory = cacheDir }
            if let apiTimeout { try settings.set("api-timeout", apiTimeout, from: "--api-timeout") }
        } catch let error as SettingError {
            throw CLIError(error.description, exitCode: 2)
        }
        if check {
            report(settings)
            return
        }
        // The server and token: the sources file, else the context, with the usual overrides.
        let target = try Target.resolve(context: context)
        if settings.server == nil || environment["DATAPILOT_SERVER"] != nil { settings.server = target.server }
        if settings.token == nil || environment["DATAPILOT_TOKEN"] != nil { settings.token = target.token }
        settings.once = once
        if let config {
            // Reloads read the file as at start, with the same environment and --database-url.
            let databaseURL = databaseURL
            settings.sourcesFile = config
            settings.reload = {
                try ReconcilerConfiguration.load(file: config, environment: environment, databaseURL: databaseURL).sources
            }
        }
        LogOutput.bootstrap(environment: environment)
        let logger = Logger(label: "dpctl-reconcile")
        let ok: Bool
        do {
            ok = try await Reconciler(configuration: settings, logger: logger).run()
        } catch let error as SettingError {
            throw CLIError(error.description)
        }
        if !ok { throw CLIError.exit(1) }
    }

    /// `--check`: what the reconciler would run, with no secret's value.
    func report(_ settings: ReconcilerConfiguration) {
        print("\(config ?? "flags"): valid; \(settings.sources.count) source\(settings.sources.count == 1 ? "" : "s")")
        for source in settings.sources {
            let spec = source.spec
            print(
                "  \(spec.name): \(spec.url) \(spec.ref) path=\(spec.path.isEmpty ? "." : spec.path) interval=\(Int(source.interval))s"
                    + " prune=\(source.prune) webhooks=\(source.webhookSecret != nil)")
        }
        print("listen: \(settings.host):\(settings.port)  cache-dir: \(settings.cacheDirectory)")
        print("api-timeout: \(settings.apiTimeoutSeconds)s")
        print(
            "database-url: "
                + (settings.databaseURL.isEmpty
                    ? "not set here (give DATAPILOT_DATABASE_URL or --database-url where it runs)"
                    : Redact.credentials(settings.databaseURL)))
        for reference in settings.secretReferences { print("secret \(reference) (not read by --check)") }
    }

    func singleSource(environment: [String: String]) throws -> ReconcilerConfiguration {
        func seconds(_ text: String, _ flag: String) throws -> Double {
            guard let value = DurationText.seconds(text) else {
                throw SettingError("--\(flag) \"\(text)\" is not a duration such as 30s, 5m or 1h")
            }
            return value
        }
        func secret(_ file: String?, _ flag: String) throws -> String? {
            guard let file else { return nil }
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw SettingError("--\(flag): cannot read \(file)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var auth = GitAuth.none
        if let sshKeyFile, let knownHostsFile {
            auth = .sshKey(
                username: username ?? "git", privateKeyPath: sshKeyFile, privateKey: nil, passphrase: nil, knownHostsPath: knownHostsFile)
        } else if let password = try secret(passwordFile, "password-file") {
            auth = .basic(username: username ?? "git", password: password)
        }
        let repo = self.repo!
        let derived = name ?? Self.name(for: repo)
        let spec = SourceSpec(
            name: derived, url: repo, ref: ref, path: path, auth: auth, timeoutSeconds: Int(try seconds(timeout, "timeout")))
        try ReconcilerConfiguration.validate(spec, at: "--repo", file: "flags")
        guard let databaseURL = databaseURL ?? environment["DATAPILOT_DATABASE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw SettingError(
                "--database-url (or DATAPILOT_DATABASE_URL) is required: the reconciler keeps status, history and leases in Postgres")
        }
        guard let driftMode = DriftMode(rawValue: drift) else {
            throw SettingError("--drift \"\(drift)\" is not one of report, heal, ignore")
        }
        guard ["allowed", "denied"].contains(execute) else {
            throw SettingError("--execute \"\(execute)\" is not one of allowed, denied")
        }
        var source = SourceConfiguration(
            spec: spec, interval: try seconds(interval, "interval"), resync: try seconds(resync, "resync"),
            prune: prune, maxDeletes: maxDeletes, webhookSecret: try secret(webhookSecretFile, "webhook-secret-file"),
            drift: driftMode)
        source.executeAllowed = execute == "allowed"
        return ReconcilerConfiguration(
            sources: [source], server: nil, token: nil, databaseURL: databaseURL,
            cacheDirectory: FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".datapilot/reconciler").path)
    }

    /// `https://git.example.com/ml/manifests.git` → `manifests`.
    static func name(for url: String) -> String {
        let last = url.split(separator: "/").last.map(String.init) ?? "source"
        let base = last.hasSuffix(".git") ? String(last.dropLast(4)) : last
        let cleaned = base.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let name = String(cleaned).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return name.isEmpty ? "source" : String(name.prefix(63))
    }
}

import DatasetRegistry
import Experiments
import Foundation
import Manifests
import OpenLineage
import Settings
import URLPolicy

/// Everything `datapilot-server` is told, from a config file, then environment variables, then
/// flags, each overriding the one before. Every setting has one name: `port` in the file,
/// `DATAPILOT_PORT` in the environment, `--port` on the command line.
public struct ServerConfiguration: LayeredSettings, Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    var portWasSet = false
    /// The services this process runs: `all`, or a comma list such as `registry,audit,lineage`.
    public var services: Set<ServiceMode> = [.all]
    /// Where the gateway forwards the routes of services it does not run itself.
    public var upstreams: [ServiceMode: String] = [:]
    /// Where the `ui` service reaches the gateway; unset: this process's own listener.
    public var gatewayURL: String?
    /// The reconciler's port the gateway forwards `/api/reconciler/...` to; unset: those routes answer 503.
    public var reconcilerURL: String?
    /// A `postgres://` URL or libpq `key=value` string; empty uses the PG* environment variables.
    public var databaseURL = ""
    public var maxConnections = 10
    public var dataDirectory = "datapilot-data"
    /// The bootstrap admin key itself (from `DATAPILOT_BOOTSTRAP_ADMIN_KEY`), or a file holding it.
    public var bootstrapAdminKey: String?
    public var bootstrapAdminKeyFile: String?
    public var tokenLifetimeSeconds = 3600
    public var maxUploadBytes: Int64 = 64 << 30
    /// `file` (under the data folder) or `s3`; S3 credentials come only from AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
    public var objectStore = "file"
    public var s3Endpoint = "https://s3.amazonaws.com"
    public var s3Bucket = ""
    public var s3Region = "us-east-1"
    public var s3Prefix = ""
    public var s3Addressing = "path"
    /// The URL runs call back on (`DATAPILOT_URL`); defaults to this server's own address.
    public var publicURL: String?
    /// How long a running run may go without a heartbeat before the reaper marks it LOST.
    public var runHeartbeatTimeoutSeconds = 120
    /// Whether new dataset versions are evaluated against their dataset's quality rules.
    public var autoEvaluate = true
    /// How many evaluations this replica runs at once (`evaluation-workers`, 1 to 16).
    public var evaluationWorkers = 1
    /// The executors that run code (`executors: kubernetes`, `local`, or both); none by default.
    public var executors: Set<ExecutorKind> = []
    /// The local executor's user, limits and sandbox (`executor-*`).
    public var localExecutor = LocalIsolation()
    /// Key files (`<id> <base64 key> [verify-only]` lines; a mounted Secret in Kubernetes), or
    /// DATAPILOT_TOKEN_SIGNING_KEYS / DATAPILOT_EVIDENCE_SIGNING_KEYS; neither: generated under data-dir/keys.
    public var tokenSigningKeysFile: String?
    public var evidenceSigningKeysFile: String?
    /// How long a token's API key is trusted to be unrevoked before it is looked up again.
    public var revocationCheckSeconds = 5
    /// The schemes and hosts external dataset versions may name (`ExternalURLPolicy`).
    public var externalURLAllow = ExternalURLPolicy.standard
    /// Folders of finished runs under `<data-dir>/runs` are removed this long after the run ended.
    public var runFolderRetentionSeconds = 7 * 86_400
    /// Client connections: seconds for a request head, between kept-alive requests and for a
    /// stalled body, and how many at once (beyond: 503). See ConnectionLimits.
    public var headerTimeoutSeconds = 10, idleTimeoutSeconds = 60, bodyTimeoutSeconds = 30, maxClientConnections = 4096
    /// The Kubernetes executor: its Jobs' namespace (empty: the credentials' own), its kubeconfig
    /// (empty: the pod's service account), and how long finished Jobs are kept.
    public var kubernetesNamespace = ""
    public var kubeconfig = ""
    public var kubernetesJobRetentionSeconds = 86_400
    /// The audit service signs a checkpoint of the chain's head every this many entries or
    /// seconds, whichever comes first.
    public var auditCheckpointEvents = 1000, auditCheckpointSeconds = 60
    /// Where OpenLineage events go (`openlineage-*`); off unless a URL or a file is set.
    public var openLineage = OpenLineageSettings()

    public init() {}

    /// `public-url`, or the address this server listens on.
    public var effectivePublicURL: String {
        publicURL ?? "http://\(host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host):\(effectivePort)"
    }

    public enum ServiceMode: String, Sendable, CaseIterable, Hashable {
        case all, gateway, registry, quality, experiments, lineage, audit, ui

        /// The seed's port for a service run alone.
        public var defaultPort: Int {
            switch self {
            case .all, .gateway: return 8080
            case .registry: return 8081
            case .quality: return 8082
            case .experiments: return 8083
            case .lineage: return 8084
            case .audit: return 8085
            case .ui: return 3000
            }
        }
    }

    /// The port to listen on: the one set, or the seed's port of the only service run.
    public var effectivePort: Int {
        if portWasSet || services.count != 1 { return port }
        return services.first!.defaultPort
    }

    /// Whether this process serves `service`'s routes itself.
    public func runs(_ service: ServiceMode) -> Bool { services.contains(.all) || services.contains(service) }

    /// The settings' names, for files and environment variables.
    public static let keys =
        [
            "host", "port", "service", "database-url", "max-connections", "data-dir",
            "bootstrap-admin-key", "bootstrap-admin-key-file", "token-lifetime-seconds", "max-upload-bytes",
            "object-store", "s3-endpoint", "s3-bucket", "s3-region", "s3-prefix", "s3-addressing",
            "registry-url", "quality-url", "experiments-url", "audit-url", "lineage-url",
            "public-url", "run-heartbeat-timeout-seconds", "auto-evaluate", "evaluation-workers", "executors",
            "token-signing-keys-file", "evidence-signing-keys-file", "revocation-check-seconds",
            "external-url-allow", "run-folder-retention-seconds",
            "header-timeout-seconds", "idle-timeout-seconds", "body-timeout-seconds", "max-client-connections",
            "kubernetes-namespace", "kubeconfig", "kubernetes-job-retention-seconds",
            "audit-checkpoint-events", "audit-checkpoint-seconds",
            "gateway-url", "reconciler-url",
        ] + LocalIsolation.keys + OpenLineageSettings.keys

    /// Applies `key = value`; throws a message naming the key and what it takes.
    public mutating func set(_ key: String, _ value: String, from origin: String) throws {
        func number<T: FixedWidthInteger>(_ range: ClosedRange<T>) throws -> T { try Self.number(key, value, range, from: origin) }
        switch key {
        case "host": host = value
        case "port":
            port = try number(1...65535)
            portWasSet = true
        case "service":
            var chosen: Set<ServiceMode> = []
            for name in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let mode = ServiceMode(rawValue: name) else {
                    throw SettingError(
                        "\(origin): service must be all or a comma list of "
                            + ServiceMode.allCases.dropFirst().map(\.rawValue).joined(separator: ", ") + ", got \"\(name)\""
                            + Suggest.hint(for: name, in: ServiceMode.allCases.map(\.rawValue)))
                }
                chosen.insert(mode)
            }
            guard !chosen.isEmpty, !(chosen.contains(.all) && chosen.count > 1) else {
                throw SettingError("\(origin): service is all, or a list of services without all")
            }
            services = chosen
        case "registry-url": upstreams[.registry] = value
        case "quality-url": upstreams[.quality] = value
        case "experiments-url": upstreams[.experiments] = value
        case "audit-url": upstreams[.audit] = value
        case "lineage-url": upstreams[.lineage] = value
        case "gateway-url":
            guard StringFormat.url.accepts(value) else {
                throw SettingError("\(origin): gateway-url must be an http(s) URL such as http://gateway:8080, got \"\(value)\"")
            }
            gatewayURL = value
        case "reconciler-url":
            guard StringFormat.url.accepts(value) else {
                throw SettingError("\(origin): reconciler-url must be an http(s) URL such as http://reconciler:8090, got \"\(value)\"")
            }
            reconcilerURL = value
        case "database-url": databaseURL = value
        case "max-connections": maxConnections = try number(1...1000)
        case "data-dir": dataDirectory = value
        case "bootstrap-admin-key": bootstrapAdminKey = value
        case "bootstrap-admin-key-file": bootstrapAdminKeyFile = value
        case "token-lifetime-seconds": tokenLifetimeSeconds = try number(60...86_400 * 30)
        case "max-upload-bytes": maxUploadBytes = try number(1...(Int64(1) << 50))
        case "object-store":
            guard ["file", "s3"].contains(value) else {
                throw SettingError("\(origin): object-store must be file or s3, got \"\(value)\"")
            }
            objectStore = value
        case "public-url":
            guard StringFormat.url.accepts(value) else {
                throw SettingError("\(origin): public-url must be an http(s) URL such as https://datapilot.example.com, got \"\(value)\"")
            }
            publicURL = value
        case "run-heartbeat-timeout-seconds": runHeartbeatTimeoutSeconds = try number(1...86_400)
        case "auto-evaluate":
            autoEvaluate = try Self.flag(key, value, from: origin)
        case "evaluation-workers": evaluationWorkers = try number(1...16)
        case "executors":
            var chosen: Set<ExecutorKind> = []
            for name in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty && name != "none" {
                guard let kind = ExecutorKind(rawValue: name) else {
                    throw SettingError(
                        "\(origin): executors is none or a comma list of " + ExecutorKind.allCases.map(\.rawValue).joined(separator: ", ")
                            + ", got \"\(name)\"" + Suggest.hint(for: name, in: ExecutorKind.allCases.map(\.rawValue)))
                }
                chosen.insert(kind)
            }
            executors = chosen
        case _ where LocalIsolation.keys.contains(key):
            try localExecutor.set(key, value, from: origin)
        case _ where OpenLineageSettings.keys.contains(key):
            try openLineage.set(key, value, from: origin)
        case "token-signing-keys-file": tokenSigningKeysFile = value
        case "evidence-signing-keys-file": evidenceSigningKeysFile = value
        case "revocation-check-seconds": revocationCheckSeconds = try number(0...300)
        case "external-url-allow":
            do { externalURLAllow = try ExternalURLPolicy(setting: value) } catch { throw SettingError("\(origin): \(error.description)") }
        case "run-folder-retention-seconds": runFolderRetentionSeconds = try number(1...86_400 * 3650)
        case "header-timeout-seconds": headerTimeoutSeconds = try number(1...3600)
        case "idle-timeout-seconds": idleTimeoutSeconds = try number(1...86_400)
        case "body-timeout-seconds": bodyTimeoutSeconds = try number(1...3600)
        case "max-client-connections": maxClientConnections = try number(1...1_000_000)
        case "kubernetes-namespace":
            guard value.isEmpty || (value.count <= 63 && StringFormat.dnsSubdomain.accepts(value) && !value.contains(".")) else {
                throw SettingError(
                    "\(origin): kubernetes-namespace must be a namespace name (lowercase letters, digits and '-'), got \"\(value)\"")
            }
            kubernetesNamespace = value
        case "kubeconfig": kubeconfig = value
        case "kubernetes-job-retention-seconds": kubernetesJobRetentionSeconds = try number(60...86_400 * 365)
        case "audit-checkpoint-events": auditCheckpointEvents = try number(1...1_000_000)
        case "audit-checkpoint-seconds": auditCheckpointSeconds = try number(1...86_400)
        case "s3-endpoint": s3Endpoint = value
        case "s3-bucket": s3Bucket = value
        case "s3-region": s3Region = value
        case "s3-prefix": s3Prefix = value
        case "s3-addressing":
            guard ["path", "virtual-host"].contains(value) else {
                throw SettingError("\(origin): s3-addressing must be path or virtual-host, got \"\(value)\"")
            }
            s3Addressing = value
        default:
            throw Self.unknown(key, from: origin)
        }
    }

    /// The bootstrap admin key is a secret: a file or the environment, never the config file.
    public static let fileForbidden = [
        "bootstrap-admin-key":
            "put the bootstrap admin key in a file (bootstrap-admin-key-file) or DATAPILOT_BOOTSTRAP_ADMIN_KEY, not in the config file"
    ].merging(OpenLineageSettings.fileForbidden) { first, _ in first }

    /// The bootstrap admin key from the setting or its file, if any (never logged).
    public func resolvedBootstrapKey() throws -> String? {
        if let bootstrapAdminKey, !bootstrapAdminKey.isEmpty { return bootstrapAdminKey }
        guard let file = bootstrapAdminKeyFile else { return nil }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw SettingError("cannot read the bootstrap admin key file \(file)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension ServerConfiguration {
    /// Refuses combinations that cannot run, saying what to change.
    public func check() throws {
        if services == [.ui], gatewayURL == nil {
            throw SettingError(
                "the ui service alone reaches the API through the gateway, so it needs --gateway-url (e.g. http://gateway:8080)")
        }
        guard services.contains(.gateway) else { return }
        for service in [ServiceMode.registry, .quality, .experiments, .audit, .lineage] where !runs(service) && upstreams[service] == nil {
            throw SettingError(
                "the gateway does not run \(service.rawValue) itself, so it needs --\(service.rawValue)-url (e.g. http://\(service.rawValue):\(service.defaultPort))"
            )
        }
    }
}

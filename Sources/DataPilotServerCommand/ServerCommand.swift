import ArgumentParser
import DataPilotServer
import Foundation
import LogSetup
import Logging
import Metrics
import Prometheus
import ServiceKit
import Settings

/// `datapilot-server`: the flags are the settings of `ServerConfiguration`; a config file and
/// `DATAPILOT_*` environment variables fill in what the flags leave out.
public struct ServerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "datapilot-server",
        abstract: "The DataPilot control plane: Gateway, Dataset Registry, Quality, Experiments, Audit and Lineage on Postgres.",
        discussion: """
            Settings come from --config FILE, then DATAPILOT_* environment variables, then flags (flags win). \
            Every setting has the same name everywhere: port, DATAPILOT_PORT, --port. \
            Secrets come only from files or the environment: bootstrap-admin-key-file or DATAPILOT_BOOTSTRAP_ADMIN_KEY, \
            database-url (with its password) from DATAPILOT_DATABASE_URL or --database-url, S3 keys from AWS_ACCESS_KEY_ID / \
            AWS_SECRET_ACCESS_KEY. Logs are JSON lines unless stderr is a terminal (DATAPILOT_LOG_FORMAT=json|text, \
            DATAPILOT_LOG_LEVEL=debug|info|...). SIGTERM stops accepting connections and lets requests in flight finish.
            """)

    @Option(help: "A YAML file of settings (same names as the flags).") var config: String?
    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on (default 8080).") var port: Int?
    @Option(
        help:
            "Services to run: all (default), or a comma list of gateway, registry, quality, experiments, audit, lineage, ui. A service alone listens on its seed port (registry 8081, quality 8082, experiments 8083, lineage 8084, audit 8085, ui 3000)."
    ) var service: String?
    @Option(name: .customLong("registry-url"), help: "Gateway only: where the registry service runs.") var registryURL: String?
    @Option(name: .customLong("quality-url"), help: "Gateway only: where the quality service runs.") var qualityURL: String?
    @Option(name: .customLong("experiments-url"), help: "Gateway only: where the experiments service runs.") var experimentsURL: String?
    @Option(name: .customLong("audit-url"), help: "Gateway only: where the audit service runs.") var auditURL: String?
    @Option(name: .customLong("lineage-url"), help: "Gateway only: where the lineage service runs.") var lineageURL: String?
    @Option(name: .customLong("gateway-url"), help: "The ui service: where it reaches the gateway (default: this process).")
    var gatewayURL: String?
    @Option(
        name: .customLong("reconciler-url"),
        help: "Gateway: the reconciler's port, reached through /api/reconciler with the caller's credentials (e.g. http://reconciler:8090)."
    )
    var reconcilerURL: String?
    @Option(name: .customLong("database-url"), help: "Postgres URL (default: the PG* environment variables).") var databaseURL: String?
    @Option(name: .customLong("max-connections"), help: "Postgres connections in the pool (default 10).") var maxConnections: Int?
    @Option(name: .customLong("data-dir"), help: "Folder for stored objects and upload spooling (default ./datapilot-data).") var dataDir:
        String?
    @Option(
        name: .customLong("bootstrap-admin-key-file"), help: "File holding the first admin API key (or set DATAPILOT_BOOTSTRAP_ADMIN_KEY).")
    var bootstrapAdminKeyFile: String?
    @Option(name: .customLong("token-lifetime-seconds"), help: "Lifetime of tokens from /auth/token (default 3600).")
    var tokenLifetimeSeconds: Int?
    @Option(
        name: .customLong("object-store"),
        help: "file (default, under --data-dir) or s3 (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).") var objectStore:
        String?
    @Option(
        name: .customLong("s3-endpoint"), help: "S3-compatible endpoint URL (default https://s3.amazonaws.com; MinIO: http://host:9000).")
    var s3Endpoint: String?
    @Option(name: .customLong("s3-bucket"), help: "Bucket for objects.") var s3Bucket: String?
    @Option(name: .customLong("s3-region"), help: "Region for signing (default us-east-1).") var s3Region: String?
    @Option(name: .customLong("s3-prefix"), help: "Key prefix inside the bucket.") var s3Prefix: String?
    @Option(name: .customLong("s3-addressing"), help: "path (default) or virtual-host.") var s3Addressing: String?
    @Option(name: .customLong("max-upload-bytes"), help: "Largest upload accepted, in bytes (default 64 GiB).") var maxUploadBytes: Int64?
    @Option(name: .customLong("public-url"), help: "The URL executed runs call back on (DATAPILOT_URL; default this server's address).")
    var publicURL: String?
    @Option(name: .customLong("run-heartbeat-timeout-seconds"), help: "A running run silent this long is marked LOST (default 120).")
    var runHeartbeatTimeoutSeconds: Int?
    @Option(
        name: .customLong("token-signing-keys-file"),
        help:
            "File of token signing keys, \"<id> <base64 key> [verify-only]\" a line (or DATAPILOT_TOKEN_SIGNING_KEYS; default: generated under --data-dir/keys)."
    ) var tokenSigningKeysFile: String?
    @Option(
        name: .customLong("evidence-signing-keys-file"),
        help: "File of Ed25519 evidence signing keys, same format (or DATAPILOT_EVIDENCE_SIGNING_KEYS).") var evidenceSigningKeysFile:
        String?
    @Option(name: .customLong("revocation-check-seconds"), help: "A revoked API key's tokens stop within this many seconds (default 5).")
    var revocationCheckSeconds: Int?
    @Option(
        name: .customLong("external-url-allow"),
        help:
            "Schemes and hosts external dataset versions may name, e.g. \"https://*, http://minio.internal:9000\" (default https://* and http://* to public hosts only)."
    ) var externalURLAllow: String?
    @Option(
        name: .customLong("run-folder-retention-seconds"),
        help: "Folders of finished runs under <data-dir>/runs are removed this long after the run ended (default 604800, 7 days).")
    var runFolderRetentionSeconds: Int?
    @Option(name: .customLong("header-timeout-seconds"), help: "A client's request head must arrive within this (default 10).")
    var headerTimeoutSeconds: Int?
    @Option(name: .customLong("idle-timeout-seconds"), help: "A kept-alive connection with no request is closed after this (default 60).")
    var idleTimeoutSeconds: Int?
    @Option(name: .customLong("body-timeout-seconds"), help: "A request body that makes no progress this long is dropped (default 30).")
    var bodyTimeoutSeconds: Int?
    @Option(name: .customLong("max-client-connections"), help: "Client connections at once; beyond them, 503 (default 4096).")
    var maxClientConnections: Int?
    @Option(
        name: .customLong("kubernetes-namespace"),
        help: "Namespace of the Kubernetes executor's Jobs (default: the pod's own, or the kubeconfig context's).") var kubernetesNamespace:
        String?
    @Option(name: .customLong("kubeconfig"), help: "Kubeconfig file of the Kubernetes executor (default: the pod's service account).")
    var kubeconfig: String?
    @Option(
        name: .customLong("kubernetes-job-retention-seconds"),
        help: "Finished Jobs of the Kubernetes executor are deleted this long after (default 86400).") var kubernetesJobRetentionSeconds:
        Int?
    @Option(
        name: .customLong("auto-evaluate"),
        help: "Run evaluation workers here (they decide new versions' admission): true (default) or false.") var autoEvaluate: String?
    @Option(name: .customLong("evaluation-workers"), help: "Evaluations this replica runs at once, 1 to 16 (default 1).")
    var evaluationWorkers: Int?
    @Option(
        name: .customLong("audit-checkpoint-events"),
        help: "Sign a checkpoint of the audit chain's head every this many entries (default 1000).") var auditCheckpointEvents: Int?
    @Option(
        name: .customLong("audit-checkpoint-seconds"),
        help: "... or every this many seconds, whichever comes first (default 60).") var auditCheckpointSeconds: Int?
    @OptionGroup(title: "Run execution") var execution: ExecutionOptions
    @OptionGroup(title: "OpenLineage") var openLineage: OpenLineageOptions

    public init() {}

    public func run() async throws {
        var settings = ServerConfiguration()
        do {
            let flags: [(String, String?)] =
                [
                    ("host", host), ("port", port.map(String.init)), ("service", service), ("database-url", databaseURL),
                    ("max-connections", maxConnections.map(String.init)), ("data-dir", dataDir),
                    ("bootstrap-admin-key-file", bootstrapAdminKeyFile), ("token-lifetime-seconds", tokenLifetimeSeconds.map(String.init)),
                    ("object-store", objectStore), ("s3-endpoint", s3Endpoint), ("s3-bucket", s3Bucket), ("s3-region", s3Region),
                    ("s3-prefix", s3Prefix), ("s3-addressing", s3Addressing), ("max-upload-bytes", maxUploadBytes.map(String.init)),
                    ("public-url", publicURL), ("run-heartbeat-timeout-seconds", runHeartbeatTimeoutSeconds.map(String.init)),
                    ("auto-evaluate", autoEvaluate), ("evaluation-workers", evaluationWorkers.map(String.init)),
                    ("token-signing-keys-file", tokenSigningKeysFile), ("evidence-signing-keys-file", evidenceSigningKeysFile),
                    ("revocation-check-seconds", revocationCheckSeconds.map(String.init)),
                    ("external-url-allow", externalURLAllow), ("run-folder-retention-seconds", runFolderRetentionSeconds.map(String.init)),
                    ("header-timeout-seconds", headerTimeoutSeconds.map(String.init)),
                    ("idle-timeout-seconds", idleTimeoutSeconds.map(String.init)),
                    ("body-timeout-seconds", bodyTimeoutSeconds.map(String.init)),
                    ("max-client-connections", maxClientConnections.map(String.init)),
                    ("kubernetes-namespace", kubernetesNamespace), ("kubeconfig", kubeconfig),
                    ("kubernetes-job-retention-seconds", kubernetesJobRetentionSeconds.map(String.init)),
                    ("registry-url", registryURL), ("quality-url", qualityURL), ("experiments-url", experimentsURL),
                    ("audit-url", auditURL), ("lineage-url", lineageURL),
                    ("audit-checkpoint-events", auditCheckpointEvents.map(String.init)),
                    ("audit-checkpoint-seconds", auditCheckpointSeconds.map(String.init)),
                    ("gateway-url", gatewayURL), ("reconciler-url", reconcilerURL),
                ] + execution.settings + openLineage.settings
            try settings.layer(file: config, environment: ProcessInfo.processInfo.environment, flags: flags)
            try settings.check()
        } catch let problem as SettingError {
            throw ValidationError(problem.description)
        }
        LogOutput.bootstrap()
        let logger = Logger(label: "datapilot-server")
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(ServerMetrics.factory(registry: metrics))
        do {
            try await Server.run(settings, metrics: metrics, logger: logger)
        } catch let problem as SettingError {
            logger.critical("cannot start", metadata: ["reason": .string(problem.description)])
            throw ExitCode(1)
        }
    }
}

extension ServerCommand {
    /// Parses the process's arguments and runs the server; exits with ArgumentParser's codes.
    public static func start() async {
        do {
            var command = try parseAsRoot()
            if let server = command as? ServerCommand {
                try await server.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

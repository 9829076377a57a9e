// swift-tools-version: 6.0
import PackageDescription

// The folders under Sources/ mirror the architecture (see ARCHITECTURE.md):
//   CLibraries/   one system-library target per C library, each imported by exactly one Swift module
//   Git, Postgres, Curl   the Swift modules that own libgit2, libpq and libcurl
//   YAML          libyaml (through Yams' bundled copy) -> positioned node trees, with hard limits
//   Manifests     the manifest model: kinds, validation, canonical JSON, generated schemas
//   APIModel      what crosses the wire between dpctl/the reconciler and the server, defined once
//   Settings      settings in layers (file, DATAPILOT_* environment, flags) and the one SettingError
//   SyncEngine    desired state against live state: plan, apply, prune, drift scan (dpctl and the reconciler)
//   Reconciler    the GitOps loop: named steps behind protocols, leases, status, webhooks
//   CIReports     diagnostics as CI systems read them: SARIF 2.1.0, JUnit XML, GitHub Actions annotations
//   Review        what a reviewer sees: pull-request plans (dpctl plan) and drift reports, rendered
//   Compression, QualityEngine   zlib's streaming gzip decoder; quality rules evaluated over CSV/JSONL in one pass
//   DPCtlCommands the dpctl command line, a library so tests can drive it
//   dpctl         the thin executable; it links no HTTP server, Postgres or Prometheus (DPCtlTests checks)
//   CLIKit        what dpctl and datapilot-reconciler share: contexts, failures and exit codes, the terminal
//   ReconcilerCommand, datapilot-reconciler   the reconciler's command line and executable (`dpctl reconcile` runs it)
//   LogSetup      the executables' log output (JSON or text, redacted); SigningKeys  key files (`dpctl keys`, the server)
//   AuditChain    the audit chain's entries, hashing and signed checkpoints, checked alike by the server and `dpctl audit verify`
let package = Package(
    name: "DataPilot",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dpctl", targets: ["dpctl"]),
        .executable(name: "datapilot-server", targets: ["datapilot-server"]),
        .executable(name: "datapilot-reconciler", targets: ["datapilot-reconciler"]),
        .library(name: "Manifests", targets: ["Manifests"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C libraries, each wrapped once.
        .systemLibrary(
            name: "CLibGit2", path: "Sources/CLibraries/CLibGit2",
            pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(
            name: "CLibPQ", path: "Sources/CLibraries/CLibPQ",
            pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CLibCurl", path: "Sources/CLibraries/CLibCurl",
            pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CLibraries/CZlib",
            pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "Git", dependencies: ["CLibGit2"]),
        .target(
            name: "GitSource",
            dependencies: ["Git", "Manifests", "SyncEngine", "Blocking", "Redaction", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Postgres", dependencies: ["CLibPQ", "Blocking", "Redaction"]),
        .target(name: "Redaction"),
        .target(name: "LogSetup", dependencies: ["Redaction", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Curl", dependencies: ["CLibCurl"]),
        .target(name: "Compression", dependencies: ["CZlib"]),
        // The row loop mutates check state on every value: dynamic exclusivity checks cost a
        // fifth of the time there (bench/quality), and the engine shares no state across threads.
        .target(
            name: "QualityEngine", dependencies: ["Manifests", "Compression"],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(name: "Blocking"),
        .target(
            name: "ObjectStore",
            dependencies: ["Blocking", "Curl", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "YAML", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(
            name: "Manifests",
            dependencies: ["YAML", .product(name: "Crypto", package: "swift-crypto")]),
        // Settings in layers (file, DATAPILOT_* environment, flags) and the one error for a bad setting.
        .target(name: "Settings", dependencies: ["Manifests"]),
        // Which URLs a version may name (`external-url-allow`): the server registers by it, dpctl plan fetches by it.
        .target(name: "URLPolicy", dependencies: ["Settings"]),
        .target(name: "SigningKeys", dependencies: ["Settings", .product(name: "Crypto", package: "swift-crypto")]),
        // What crosses the wire between dpctl/the reconciler and the server, defined once.
        .target(name: "APIModel", dependencies: ["Manifests"]),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Manifests", "APIModel", "Settings", "SigningKeys", "Postgres", "Blocking", "ObjectStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // The connection guard: a NIO handler in front of every HTTP connection.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "Audit",
            dependencies: [
                "ServiceKit", "APIModel", "Postgres", "Manifests", "AuditChain", "Evidence", "ObjectStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]),
        .target(name: "Lineage", dependencies: ["ServiceKit", "Postgres", "Manifests"]),
        .target(
            name: "Gateway",
            dependencies: [
                "ServiceKit", "Settings", "Audit", "Postgres", "Curl", "Blocking", .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "ObjectAPI",
            dependencies: [
                "ServiceKit", "APIModel", "Audit", "Lineage", "Postgres", "Manifests",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .target(
            name: "DatasetRegistry",
            dependencies: [
                "ServiceKit", "APIModel", "Settings", "Lineage", "ObjectAPI", "ObjectStore", "Postgres", "Blocking", "Redaction",
                "URLPolicy",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "Quality",
            dependencies: [
                "ObjectAPI", "APIModel", "ServiceKit", "Audit", "Lineage", "Postgres", "Manifests", "ObjectStore",
                "QualityEngine", "Blocking", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(name: "Evidence", dependencies: ["Manifests", .product(name: "Crypto", package: "swift-crypto")]),
        // `dpctl evidence verify`'s checks of a bundle against a server, shared with the web UI's "verified" badge.
        .target(
            name: "EvidenceVerification",
            dependencies: ["APIClient", "APIModel", "Evidence", "Manifests", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "AuditChain", dependencies: ["Manifests", "Evidence", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "KubernetesClient", dependencies: ["Curl", "Blocking", "Manifests"]),
        .target(
            name: "Experiments",
            dependencies: [
                "ObjectAPI", "APIModel", "ServiceKit", "Settings", "Audit", "Lineage", "Postgres", "Manifests", "ObjectStore",
                "Evidence", "Blocking", "KubernetesClient", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // The MLflow-compatible tracking API over experiments and runs (docs/mlflow.md).
        .target(
            name: "MLflowAPI",
            dependencies: [
                "Experiments", "ObjectAPI", "ServiceKit", "Audit", "Postgres", "Manifests",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        // OpenLineage: run events of runs, evaluations and syncs off the audit chain, delivered to a
        // collector and/or a file; `POST /api/v1/lineage` into the lineage graph (docs/openlineage.md).
        .target(
            name: "OpenLineage",
            dependencies: [
                "ServiceKit", "APIModel", "Audit", "Lineage", "Postgres", "Manifests", "Settings", "Curl", "Blocking", "Redaction",
                "Notifications", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "ApplySets",
            dependencies: [
                "ObjectAPI", "APIModel", "ServiceKit", "Audit", "Postgres", "Manifests",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .target(
            name: "DataPilotServer",
            dependencies: [
                "Gateway", "DatasetRegistry", "Quality", "Experiments", "Evidence", "ApplySets", "ObjectAPI", "Audit", "Lineage",
                "Settings", "MLflowAPI", "OpenLineage",
                "ObjectStore", "ServiceKit", "Postgres",
                "UI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.yaml")]),
        .target(
            name: "DataPilotServerCommand",
            dependencies: [
                "DataPilotServer", "ServiceKit", "Settings", "LogSetup", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(name: "datapilot-server", dependencies: ["DataPilotServerCommand"]),
        .target(name: "APIClient", dependencies: ["APIModel", "Curl", "Blocking", "Manifests"]),
        // The web UI under /ui/: pages rendered on the server, read through the gateway's API with the user's token.
        .target(
            name: "UI",
            dependencies: [
                "APIClient", "APIModel", "Manifests", "ServiceKit", "Evidence", "EvidenceVerification",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        .target(
            name: "SyncEngine",
            dependencies: ["APIClient", "APIModel", "Manifests", "Blocking", .product(name: "Crypto", package: "swift-crypto")]),
        // Notification targets (commit statuses, signed webhooks, Slack), their delivery and its log.
        .target(
            name: "Notifications",
            dependencies: [
                "Curl", "Blocking", "Manifests", "Postgres", "Redaction", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "Reconciler",
            dependencies: [
                "SyncEngine", "APIModel", "Settings", "GitSource", "APIClient", "ServiceKit", "Postgres", "Manifests", "Blocking",
                "Redaction", "Notifications",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "CLIKit",
            dependencies: ["Manifests", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(
            name: "ReconcilerCommand",
            dependencies: [
                "Reconciler", "SyncEngine", "GitSource", "Settings", "CLIKit", "LogSetup", "Redaction",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "datapilot-reconciler", dependencies: ["ReconcilerCommand"]),
        .target(name: "CIReports", dependencies: ["Manifests"]),
        .target(
            name: "Review",
            dependencies: [
                "SyncEngine", "APIModel", "GitSource", "APIClient", "Manifests", "QualityEngine", "URLPolicy", "Curl", "Blocking",
            ]),
        .target(
            name: "DPCtlCommands",
            dependencies: [
                "Manifests", "APIModel", "APIClient", "SyncEngine", "GitSource", "Git", "Blocking", "Evidence", "Review", "QualityEngine",
                "CLIKit", "SigningKeys", "AuditChain", "CIReports", "URLPolicy", "EvidenceVerification",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "dpctl", dependencies: ["DPCtlCommands"]),

        // The harness the test targets share: subprocesses, built products, git, the test database, peers.
        .target(name: "TestSupport", dependencies: ["Blocking"], path: "Tests/TestSupport"),
        .testTarget(name: "YAMLTests", dependencies: ["YAML", "TestSupport"]),
        .testTarget(name: "ManifestsTests", dependencies: ["Manifests", "TestSupport"]),
        .testTarget(name: "DPCtlTests", dependencies: ["dpctl", "datapilot-reconciler", "Manifests", "TestSupport"]),
        .testTarget(name: "CLibrariesTests", dependencies: ["Git", "Postgres", "Curl", "Blocking", "TestSupport"]),
        .testTarget(
            name: "GitSourceTests",
            dependencies: ["GitSource", "Manifests", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "datapilot-server", "dpctl", "datapilot-reconciler", "DataPilotServer", "Gateway", "ObjectStore", "Curl", "Postgres",
                "Manifests", "Blocking", "AuditChain", "Evidence",
                "Review", "SyncEngine", "APIModel", "KubernetesClient", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            exclude: ["Golden"]),
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "Curl", "TestSupport"]),
        .testTarget(name: "SyncEngineTests", dependencies: ["SyncEngine", "APIModel", "Manifests"]),
        .testTarget(name: "APIModelTests", dependencies: ["APIModel", "Manifests", "TestSupport"]),
        .testTarget(name: "AuditChainTests", dependencies: ["AuditChain", "Evidence", "Manifests"]),
        // The web UI's escaping, form bodies and sessions, in process.
        .testTarget(name: "UITests", dependencies: ["UI"]),
        // The reconcile loop's decisions, in process: git, the server and the status store in memory.
        .testTarget(
            name: "ReconcileLoopTests",
            dependencies: [
                "Reconciler", "SyncEngine", "APIModel", "GitSource", "Manifests", "TestSupport", "Notifications", "Settings",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(name: "QualityEngineTests", dependencies: ["QualityEngine", "Compression", "Manifests", "TestSupport"]),
        // deploy/, crds/ and the Containerfile: rendered with kubectl kustomize, validated offline,
        // scanned with checkov; the configuration layers of both executables.
        .testTarget(
            name: "DeployTests",
            dependencies: [
                "dpctl", "datapilot-server", "datapilot-reconciler", "DataPilotServer", "Reconciler", "LogSetup", "SigningKeys",
                "Experiments", "Manifests",
                "TestSupport", .product(name: "Yams", package: "Yams"),
            ]),
        // Request validation of ServiceKit in process, through Hummingbird's test client: no server, no database.
        .testTarget(
            name: "ServiceTests", dependencies: ["ServiceKit", "Manifests", .product(name: "HummingbirdTesting", package: "hummingbird")]),
    ],
    swiftLanguageModes: [.v6]
)

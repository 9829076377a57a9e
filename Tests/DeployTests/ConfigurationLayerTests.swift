import DataPilotServer
import Foundation
import LogSetup
import Logging
import Synchronization
import TestSupport
import Testing

/// Both executables read a config file, then DATAPILOT_* variables, then flags; flags win.
/// Secrets come only from files or the environment and are never printed.
@Suite struct ConfigurationLayerTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var setting: String
        var file: String?
        var environment: String?
        var flag: String?
        var expected: String
        var testDescription: String { "\(setting): file=\(file ?? "-") env=\(environment ?? "-") flag=\(flag ?? "-") -> \(expected)" }
    }

    // MARK: dpctl reconcile

    static let reconcilerVariables = [
        "database-url": "DATAPILOT_DATABASE_URL", "listen": "DATAPILOT_LISTEN", "cache-dir": "DATAPILOT_CACHE_DIR",
        "api-timeout": "DATAPILOT_API_TIMEOUT",
    ]
    static let reconcilerRows: [Row] = [
        Row(setting: "database-url", file: "postgres://file@db/dp", expected: "postgres://file@db/dp"),
        Row(setting: "database-url", file: "postgres://file@db/dp", environment: "postgres://env@db/dp", expected: "postgres://env@db/dp"),
        Row(
            setting: "database-url", file: "postgres://file@db/dp", environment: "postgres://env@db/dp", flag: "postgres://flag@db/dp",
            expected: "postgres://flag@db/dp"),
        Row(setting: "database-url", environment: "postgres://env@db/dp", expected: "postgres://env@db/dp"),
        Row(setting: "database-url", file: "postgres://file@db/dp", flag: "postgres://flag@db/dp", expected: "postgres://flag@db/dp"),
        Row(setting: "listen", expected: "127.0.0.1:8090"),
        Row(setting: "listen", file: "0.0.0.0:8091", expected: "0.0.0.0:8091"),
        Row(setting: "listen", file: "0.0.0.0:8091", environment: "0.0.0.0:8092", expected: "0.0.0.0:8092"),
        Row(setting: "listen", file: "0.0.0.0:8091", environment: "0.0.0.0:8092", flag: "0.0.0.0:8093", expected: "0.0.0.0:8093"),
        Row(setting: "listen", environment: "0.0.0.0:8092", flag: "0.0.0.0:8093", expected: "0.0.0.0:8093"),
        Row(setting: "cache-dir", file: "/srv/file", expected: "/srv/file"),
        Row(setting: "cache-dir", file: "/srv/file", environment: "/srv/env", expected: "/srv/env"),
        Row(setting: "cache-dir", file: "/srv/file", environment: "/srv/env", flag: "/srv/flag", expected: "/srv/flag"),
        Row(setting: "cache-dir", environment: "/srv/env", expected: "/srv/env"),
        Row(setting: "api-timeout", expected: "60s"),
        Row(setting: "api-timeout", file: "30s", expected: "30s"),
        Row(setting: "api-timeout", file: "30s", environment: "2m", expected: "120s"),
        Row(setting: "api-timeout", file: "30s", environment: "2m", flag: "5s", expected: "5s"),
        Row(setting: "api-timeout", environment: "2m", flag: "1.5s", expected: "2s"),
    ]

    @Test(arguments: reconcilerRows)
    func reconcilerPrecedence(_ row: Row) async throws {
        let folder = try scratchFolder("precedence")
        defer { try? FileManager.default.removeItem(at: folder) }
        var text = "sources:\n  - {name: a, url: \"file:///srv/repo\"}\n"
        if row.setting != "database-url" { text += "database-url: postgres://file@db/dp\n" }
        if let file = row.file { text += "\(row.setting): \(file)\n" }
        let path = folder.appendingPathComponent("sources.yaml")
        try Data(text.utf8).write(to: path)
        var arguments = ["reconcile", "--config", path.path, "--check"]
        if let flag = row.flag { arguments += ["--\(row.setting)", flag] }
        var environment: [String: String] = [:]
        if let value = row.environment { environment[Self.reconcilerVariables[row.setting]!] = value }
        let outcome = try await dpctl(arguments, environment: environment)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let expected =
            switch row.setting {
            case "database-url": "database-url: \(row.expected)\n"
            case "listen": "listen: \(row.expected) "
            case "api-timeout": "api-timeout: \(row.expected)\n"
            default: "cache-dir: \(row.expected)\n"
            }
        #expect(outcome.stdout.contains(expected), "\(outcome.stdout)")
    }

    /// A bad api-timeout in each layer is refused, naming the layer.
    @Test(arguments: [("file", "soon"), ("environment", "0s"), ("flag", "2d")])
    func reconcilerRefusesABadAPITimeout(_ layer: String, _ value: String) async throws {
        let folder = try scratchFolder("api-timeout")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sources.yaml")
        var text = "database-url: postgres://file@db/dp\nsources:\n  - {name: a, url: \"file:///srv/repo\"}\n"
        if layer == "file" { text += "api-timeout: \(value)\n" }
        try Data(text.utf8).write(to: path)
        let outcome = try await dpctl(
            ["reconcile", "--config", path.path, "--check"] + (layer == "flag" ? ["--api-timeout", value] : []),
            environment: layer == "environment" ? ["DATAPILOT_API_TIMEOUT": value] : [:])
        #expect(outcome.status == 2, "\(outcome.stdout)")
        let origin = ["file": path.path, "environment": "DATAPILOT_API_TIMEOUT", "flag": "--api-timeout"][layer]!
        #expect(outcome.stderr.contains("\(origin): api-timeout: \"\(value)\" is not a duration"), "\(outcome.stderr)")
    }

    /// The in-process API applies the same layers (the flag being `databaseURL:`).
    @Test func reconcilerLoadAppliesTheEnvironmentOverTheFile() throws {
        let folder = try scratchFolder("load")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sources.yaml")
        try Data(
            "database-url: postgres://file@db/dp\nlisten: 0.0.0.0:8091\ncache-dir: /srv/file\nsources:\n  - {name: a, url: \"file:///srv/repo\"}\n"
                .utf8
        ).write(to: path)
        let loaded = try ReconcilerConfigurationProbe.load(
            path.path, ["DATAPILOT_LISTEN": "10.0.0.1:9000", "DATAPILOT_CACHE_DIR": "", "DATAPILOT_DATABASE_URL": "postgres://env@db/dp"])
        #expect(loaded.host == "10.0.0.1" && loaded.port == 9000)
        #expect(loaded.cacheDirectory == "/srv/file", "an empty variable is ignored")
        #expect(loaded.databaseURL == "postgres://env@db/dp")
        #expect(throws: (any Error).self) { try ReconcilerConfigurationProbe.load(path.path, ["DATAPILOT_LISTEN": "nowhere"]) }
    }

    @Test func checkNamesSecretsWithoutReadingThemAndHidesPasswords() async throws {
        let folder = try scratchFolder("check")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sources.yaml")
        try Data(
            """
            database-url: postgres://dp:hunter2@db:5432/dp?password=again
            token-env: RECONCILER_TOKEN
            sources:
              - name: a
                url: https://git.example.com/a.git
                auth: {username: ci, password-file: /run/secrets/missing-here}
                webhook-secret-file: /run/secrets/hook
            """.utf8
        ).write(to: path)
        let outcome = try await dpctl(["reconcile", "--config", path.path, "--check"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(!outcome.stdout.contains("hunter2") && !outcome.stdout.contains("again"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("postgres://dp:***@db:5432/dp?password=***"))
        #expect(outcome.stdout.contains("secret sources[0].auth.password-file: /run/secrets/missing-here (not read by --check)"))
        #expect(outcome.stdout.contains("secret token-env: RECONCILER_TOKEN"))
        // Without --check the secrets are read, so the missing file is an error.
        let run = try await dpctl(["reconcile", "--config", path.path], environment: ["RECONCILER_TOKEN": "t"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("cannot read /run/secrets/missing-here"), "\(run.stderr)")
        // --check stays strict about everything but secrets and the database.
        try Data("sources:\n  - {name: a, url: \"file:///x\", auth: {username: u, password: hunter2}}\n".utf8).write(to: path)
        let inline = try await dpctl(["reconcile", "--config", path.path, "--check"])
        #expect(inline.status == 2 && inline.stderr.contains("not in the sources file") && !inline.stderr.contains("hunter2"))
        await #expect(try dpctl(["reconcile", "--repo", "file:///x", "--check"]).status != 0)
    }

    // MARK: datapilot-server

    static let serverRows: [Row] = [
        Row(setting: "port", expected: "8080"),
        Row(setting: "port", file: "9000", expected: "9000"),
        Row(setting: "port", file: "9000", environment: "9100", expected: "9100"),
        Row(setting: "port", file: "9000", environment: "9100", flag: "9200", expected: "9200"),
        Row(setting: "port", environment: "9100", flag: "9200", expected: "9200"),
        Row(setting: "database-url", file: "postgres://file@db/dp", environment: "postgres://env@db/dp", expected: "postgres://env@db/dp"),
        Row(setting: "database-url", environment: "postgres://env@db/dp", flag: "postgres://flag@db/dp", expected: "postgres://flag@db/dp"),
        Row(setting: "s3-bucket", file: "file-bucket", expected: "file-bucket"),
        Row(setting: "s3-bucket", file: "file-bucket", environment: "env-bucket", expected: "env-bucket"),
        Row(setting: "s3-bucket", file: "file-bucket", environment: "env-bucket", flag: "flag-bucket", expected: "flag-bucket"),
    ]

    @Test(arguments: serverRows)
    func serverPrecedence(_ row: Row) throws {
        let folder = try scratchFolder("server")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("server.yaml")
        try Data((row.file.map { "\(row.setting): \($0)\n" } ?? "host: 127.0.0.1\n").utf8).write(to: path)
        var settings = ServerConfiguration()
        try settings.load(file: path.path)
        let variable = "DATAPILOT_" + row.setting.uppercased().replacingOccurrences(of: "-", with: "_")
        try settings.load(environment: row.environment.map { [variable: $0] } ?? [:])
        if let flag = row.flag { try settings.set(row.setting, flag, from: "--\(row.setting)") }
        let value =
            switch row.setting {
            case "port": String(settings.effectivePort)
            case "database-url": settings.databaseURL
            default: settings.s3Bucket
            }
        #expect(value == row.expected)
    }

    @Test func theServerConfigFileRefusesInlineSecrets() throws {
        let folder = try scratchFolder("inline")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("server.yaml")
        try Data("bootstrap-admin-key: hunter2\n".utf8).write(to: path)
        var settings = ServerConfiguration()
        #expect { try settings.load(file: path.path) } throws: { error in
            "\(error)".contains("bootstrap-admin-key-file") && !"\(error)".contains("hunter2")
        }
    }

    /// A server that cannot reach its database says so in JSON (stderr is not a terminal) and
    /// prints neither the database password nor the bootstrap key.
    @Test func theServerLogsJSONAndNoSecretsWhenItCannotStart() async throws {
        let folder = try scratchFolder("no-db")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try await run(
            try Products.path("datapilot-server"),
            [
                "--database-url", "postgres://datapilot:pw-s3cr3t@127.0.0.1:1/datapilot?connect_timeout=2",
                "--data-dir", folder.path, "--port", "1",
            ],
            environment: ["DATAPILOT_BOOTSTRAP_ADMIN_KEY": "bootstrap-s3cr3t"], clean: true)
        #expect(outcome.status != 0)
        let all = outcome.stdout + outcome.stderr
        #expect(!all.contains("s3cr3t"), "\(all)")
        let lines = outcome.stderr.split(separator: "\n").filter { !$0.isEmpty }
        let logged = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(!logged.isEmpty && logged.count == lines.count, "every stderr line is a JSON object: \(outcome.stderr)")
        #expect(
            logged.contains { $0["level"] as? String == "critical" && ($0["reason"] as? String ?? "").contains("DATAPILOT_DATABASE_URL") },
            "\(outcome.stderr)")
    }

    @Test func theReconcilerNamesAnUnreachableDatabaseWithoutItsPassword() async throws {
        let folder = try scratchFolder("reconciler-no-db")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sources.yaml")
        try Data("cache-dir: \(folder.path)/cache\nsources:\n  - {name: a, url: \"file:///srv/repo\"}\n".utf8).write(to: path)
        let outcome = try await dpctl(
            ["reconcile", "--config", path.path, "--once"],
            environment: ["DATAPILOT_DATABASE_URL": "postgres://dp:pw-s3cr3t@127.0.0.1:1/dp?connect_timeout=2"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("cannot use the status database"), "\(outcome.stderr)")
        #expect(!(outcome.stdout + outcome.stderr).contains("s3cr3t"))
    }

    // MARK: log format

    @Test func logsAreJSONLinesOffATerminal() throws {
        #expect(LogOutput.format(environment: [:], standardErrorIsTerminal: false) == .json)
        #expect(LogOutput.format(environment: [:], standardErrorIsTerminal: true) == .text)
        #expect(LogOutput.format(environment: ["DATAPILOT_LOG_FORMAT": "json"], standardErrorIsTerminal: true) == .json)
        #expect(LogOutput.format(environment: ["DATAPILOT_LOG_FORMAT": "text"], standardErrorIsTerminal: false) == .text)
        #expect(LogOutput.level(environment: ["DATAPILOT_LOG_LEVEL": "DEBUG"]) == .debug)
        #expect(LogOutput.level(environment: [:]) == .info)

        let lines = Mutex<[String]>([])
        var logger = Logger(label: "test") { label in JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } } }
        logger[metadataKey: "replica"] = "r1"
        logger.info("sync \"done\"", metadata: ["source": "growth", "counts": ["created": "2"]])
        logger.debug("not at info")
        let written = lines.withLock { $0 }
        #expect(written.count == 1 && written[0].hasSuffix("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(object["message"] as? String == "sync \"done\"")
        #expect(object["level"] as? String == "info" && object["logger"] as? String == "test")
        #expect(object["source"] as? String == "growth" && object["replica"] as? String == "r1")
        #expect((object["counts"] as? [String: Any])?["created"] as? String == "2")
        #expect((object["time"] as? String)?.hasSuffix("Z") == true)
    }
}

import DataPilotServer
import Foundation
import Settings
import Testing

@Suite struct ConfigurationTests {
    @Test func fileThenEnvironmentThenFlags() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("server-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("port: 9000\nhost: 0.0.0.0\ndata-dir: /srv/data\nmax-connections: 5\n".utf8).write(to: file)
        var settings = ServerConfiguration()
        try settings.load(file: file.path)
        try settings.load(environment: ["DATAPILOT_PORT": "9100", "DATAPILOT_MAX_CONNECTIONS": "7", "UNRELATED": "x"])
        try settings.set("port", "9200", from: "--port")
        #expect(settings.port == 9200)
        #expect(settings.maxConnections == 7)
        #expect(settings.host == "0.0.0.0")
        #expect(settings.dataDirectory == "/srv/data")
    }

    static let badSettings: [(key: String, value: String, mentions: String)] = [
        ("port", "0", "port must be a whole number from 1 to 65535"),
        ("port", "http", "got \"http\""),
        ("service", "registy", "did you mean \"registry\""),
        ("service", "all,registry", "without all"),
        ("max-connections", "-1", "max-connections"),
        ("object-store", "gcs", "file or s3"),
        ("s3-addressing", "dns", "path or virtual-host"),
        ("prot", "8080", "did you mean \"port\""),
        ("openlineage-url", "marquez:5000", "openlineage-url must be an http(s) URL"),
        ("openlineage-file", "events.jsonl", "openlineage-file must be an absolute path"),
        ("openlineage-attempts", "0", "openlineage-attempts must be a whole number from 1 to 100"),
    ]

    @Test(arguments: badSettings)
    func badSettingsNameTheirOrigin(_ key: String, _ value: String, _ mentions: String) {
        var settings = ServerConfiguration()
        #expect {
            try settings.set(key, value, from: "DATAPILOT_TEST")
        } throws: { error in
            let text = "\(error)"
            return text.contains(mentions) && text.hasPrefix("DATAPILOT_TEST: ")
        }
    }

    @Test func splitModeNeedsItsUpstreams() throws {
        var gateway = ServerConfiguration()
        try gateway.set("service", "gateway", from: "--service")
        #expect { try gateway.check() } throws: { "\($0)".contains("needs --registry-url") }
        try gateway.set("registry-url", "http://registry:8081", from: "--registry-url")
        try gateway.set("audit-url", "http://audit:8085", from: "--audit-url")
        try gateway.set("lineage-url", "http://lineage:8084", from: "--lineage-url")
        #expect { try gateway.check() } throws: { "\($0)".contains("needs --quality-url") }
        try gateway.set("quality-url", "http://quality:8082", from: "--quality-url")
        try gateway.set("experiments-url", "http://experiments:8083", from: "--experiments-url")
        try gateway.check()
        #expect(gateway.effectivePort == 8080)

        var registry = ServerConfiguration()
        try registry.set("service", "registry", from: "--service")
        try registry.check()
        #expect(registry.effectivePort == 8081, "a service alone listens on its seed port")
        try registry.set("port", "9000", from: "--port")
        #expect(registry.effectivePort == 9000)

        var quality = ServerConfiguration()
        try quality.set("service", "quality,experiments", from: "--service")
        try quality.check()
        #expect(quality.effectivePort == 8080, "several services share the default port")
        var alone = ServerConfiguration()
        try alone.set("service", "experiments", from: "--service")
        #expect(alone.effectivePort == 8083)
    }

    /// Bad config files: each refused with the file (and line and column where it has them) and
    /// what to change; the server does not start on a refused file.
    @Test(arguments: [
        ("- port\n", "must be a mapping of settings"),
        ("port: [1, 2\n", ":2:1: not valid YAML"),
        ("port: 9100\nprot: 1\n", "unknown setting \"prot\" (did you mean \"port\"?)"),
        ("port: {a: 1}\n", "port must be a single value"),
        ("port: 70000\n", "port must be a whole number from 1 to 65535"),
        ("openlineage-api-key: secret\n", "put the OpenLineage API key in a file (openlineage-api-key-file)"),
    ])
    func badConfigFilesAreRefusedSayingWhere(text: String, mentions: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("server-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(text.utf8).write(to: file)
        var settings = ServerConfiguration()
        #expect { try settings.load(file: file.path) } throws: { error in
            "\(error)".hasPrefix(file.path) && "\(error)".contains(mentions)
        }
        #expect { try settings.load(file: "/nonexistent/server.yaml") } throws: { "\($0)".contains("cannot read the config file") }
    }

    @Test func theBootstrapKeyComesFromItsFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("  a-very-long-admin-key-from-a-file\n".utf8).write(to: file)
        var settings = ServerConfiguration()
        settings.bootstrapAdminKeyFile = file.path
        #expect(try settings.resolvedBootstrapKey() == "a-very-long-admin-key-from-a-file")
    }
}

import DataPilotServer
import Foundation
import SigningKeys
import TestSupport
import Testing

/// Every datapilot-server process gets its signing keys from the Secret datapilot-signing-keys,
/// mounted read-only where its config file's key-file settings point (never the database, never
/// generated per pod: replicas and split services must share them).
@Suite struct SigningKeysDeployTests {
    @Test(arguments: KustomizeTests.overlays)
    func everyServerReadsItsSigningKeysFromTheMountedSecret(_ overlay: String) async throws {
        let all = try await objects(in: render(overlay))
        let config = try #require(all.first { $0.kind == "ConfigMap" && $0.name.hasPrefix("datapilot-server-config") })
        let file = try scratchFolder("signing-config").appendingPathComponent("server.yaml")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try Data(try #require((config["data"] as? Object)?["server.yaml"] as? String).utf8).write(to: file)
        var settings = ServerConfiguration()
        try settings.load(file: file.path)
        let tokenFile = try #require(settings.tokenSigningKeysFile, "\(overlay): token-signing-keys-file is set")
        let evidenceFile = try #require(settings.evidenceSigningKeysFile, "\(overlay): evidence-signing-keys-file is set")

        let everyServer = all.filter { workload in
            (workload.podSpec?["containers"] as? [Object] ?? []).contains { ($0["command"] as? [String])?.first == "datapilot-server" }
        }
        // The web UI alone (`--service ui`) signs nothing and reads no database: it holds no secret at all.
        let uiOnly = everyServer.filter { workload in
            (workload.podSpec?["containers"] as? [Object] ?? []).contains { container in
                (container["env"] as? [Object] ?? []).contains {
                    $0["name"] as? String == "DATAPILOT_SERVICE" && $0["value"] as? String == "ui"
                }
            }
        }
        for workload in uiOnly {
            let pod = try #require(workload.podSpec)
            #expect((pod["volumes"] as? [Object] ?? []).allSatisfy { $0["secret"] == nil }, "\(workload.name) mounts no Secret")
            for container in pod["containers"] as? [Object] ?? [] {
                #expect(
                    (container["env"] as? [Object] ?? []).allSatisfy { $0["valueFrom"] == nil } && container["envFrom"] == nil,
                    "\(workload.name) takes nothing from a Secret")
            }
        }
        #expect(uiOnly.count == (overlay == "deploy/production" ? 1 : 0), "\(overlay): \(uiOnly.map(\.name))")
        let servers = everyServer.filter { server in !uiOnly.contains { $0.name == server.name } }
        #expect(servers.count == (overlay == "deploy/production" ? 6 : 1), "\(overlay): \(servers.map(\.name))")
        for workload in servers {
            let pod = try #require(workload.podSpec)
            let volumes = pod["volumes"] as? [Object] ?? []
            let secretVolume = try #require(
                volumes.first { ($0[path: "secret.secretName"] as? String)?.hasPrefix("datapilot-signing-keys") == true },
                "\(workload.name)")
            let container = try #require((pod["containers"] as? [Object])?.first)
            let mount = try #require(
                (container["volumeMounts"] as? [Object] ?? []).first { $0["name"] as? String == secretVolume["name"] as? String },
                "\(workload.name) mounts the signing keys")
            #expect(mount["readOnly"] as? Bool == true, "\(workload.name)")
            let path = try #require(mount["mountPath"] as? String)
            #expect(tokenFile.hasPrefix(path + "/") && evidenceFile.hasPrefix(path + "/"), "\(workload.name): \(path)")
            // Not in the environment: the keys come from the files.
            let names = (container["env"] as? [Object] ?? []).compactMap { $0["name"] as? String }
            #expect(!names.contains(SigningKeyKind.token.variable) && !names.contains(SigningKeyKind.evidence.variable))
        }
        // The dev overlay's generated Secret holds key files the server accepts.
        if overlay == "deploy/dev" {
            let secret = try #require(all.first { $0.kind == "Secret" && $0.name.hasPrefix("datapilot-signing-keys") })
            let data = try #require(secret["data"] as? Object)
            for (key, kind) in [("token-keys", SigningKeyKind.token), ("evidence-keys", .evidence)] {
                let encoded = try #require(data[key] as? String, "\(key)")
                let text = String(decoding: try #require(Data(base64Encoded: encoded, options: .ignoreUnknownCharacters)), as: UTF8.self)
                _ = try SigningKeySet.parse(text, source: "deploy/dev \(key)", kind: kind)
            }
        }
    }
}

import Crypto
import Foundation
import Manifests
import TestSupport
import Testing

/// `dpctl audit verify` offline from an export, and a table of bad input: each case exits with
/// the documented status and says what is wrong, naming the file or the entry.
@Suite struct AuditVerifyBadInputTests {
    @Test func exportsVerifyOfflineAndBadInputIsNamed() async throws {
        try await withServer { server in
            for name in ["e1", "e2", "e3"] { #expect(try await server.request("POST", "/api/datasets", json: dataset(name)).status == 201) }
            let signed = try await server.request("POST", "/api/audit/checkpoints")
            #expect(signed.status == 201 || signed.status == 200, "\(signed.text)")
            let folder = try scratchFolder("audit-bad-input")
            defer { try? FileManager.default.removeItem(at: folder) }
            func file(_ name: String, _ text: String) throws -> String {
                let path = folder.appendingPathComponent(name).path
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
                return path
            }
            let keys = try file("keys.json", try await server.request("GET", "/.well-known/datapilot/evidence-keys", key: nil).text)
            let online = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": TestServer.adminKey]
            let export = folder.appendingPathComponent("export.json").path
            let exported = try await dpctl(["audit", "export", "-o", "json", "-f", export], environment: online)
            #expect(exported.status == 0, "\(exported.stderr)")

            // Fully offline: no server to reach.
            let offline = ["DATAPILOT_SERVER": "http://127.0.0.1:1", "DATAPILOT_TOKEN": "x"]
            let verified = try await dpctl(["audit", "verify", "--key", keys, "--from-file", export], environment: offline)
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            // The API's pages, saved as they came, with the checkpoint given beside them.
            let page = try await server.request("GET", "/api/audit/events?page_size=1000").text
            let pages = try file("pages.json", "[\(page)]")
            let checkpoint = try file("checkpoint.json", try await server.request("GET", "/api/audit/checkpoints/latest").text)
            let fromPages = try await dpctl(
                ["audit", "verify", "--key", keys, "--from-file", pages, "--checkpoint", checkpoint], environment: offline)
            #expect(fromPages.status == 0, "\(fromPages.stdout)\(fromPages.stderr)")

            let exportJSON = try JSONText.parse(try String(contentsOfFile: export, encoding: .utf8)).get()
            var firstItem = try #require(exportJSON["items"]?[0])
            if case .object(let members) = firstItem { firstItem = .object(members.filter { $0.key != "hash" }) }
            let items = try #require(exportJSON["items"]?.arrayValue)
            #expect(items.count >= 3)
            let swapped = JSONValue.array([items[0], items[2], items[1]] + items.dropFirst(3))
            let other = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
            var forged = try #require(exportJSON["checkpoint"])
            if case .object(var members) = forged, let index = members.firstIndex(where: { $0.key == "envelope" }),
                case .object(var envelope) = members[index].value, let payload = envelope.firstIndex(where: { $0.key == "payload" })
            {
                let bytes = Data(base64Encoded: envelope[payload].value.stringValue ?? "") ?? Data()
                let changed = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"sequence\":", with: "\"sequence\":1")
                envelope[payload].value = .string(Data(changed.utf8).base64EncodedString())
                members[index].value = .object(envelope)
                forged = .object(members)
            }

            let cases: [(name: String, arguments: [String], status: Int32, says: String)] = [
                ("no key", ["audit", "verify"], 2, "--key FILE"),
                ("both keys", ["audit", "verify", "--key", keys, "--trust-server-key"], 2, "not both"),
                ("missing key file", ["audit", "verify", "--key", keys + ".missing", "--from-file", export], 2, "keys.json.missing"),
                (
                    "key file not JSON", ["audit", "verify", "--key", try file("bad-keys", #"{"keys": ["#), "--from-file", export], 2,
                    "is not JSON"
                ),
                (
                    "key file without keys",
                    ["audit", "verify", "--key", try file("no-keys.json", #"{"keys": []}"#), "--from-file", export], 2, "no Ed25519"
                ),
                (
                    "another server's key",
                    [
                        "audit", "verify", "--key",
                        try file("other.json", #"{"keys": [{"algorithm": "ed25519", "publicKey": "\#(other)"}]}"#), "--from-file", export,
                    ],
                    1, "none of the pinned keys"
                ),
                ("missing export", ["audit", "verify", "--key", keys, "--from-file", export + ".missing"], 2, "export.json.missing"),
                (
                    "export not JSON", ["audit", "verify", "--key", keys, "--from-file", try file("garbage.json", "{\"items\": [")], 2,
                    "is not JSON"
                ),
                (
                    "export of something else",
                    ["audit", "verify", "--key", keys, "--from-file", try file("other-doc.json", #"{"kind": "Dataset"}"#)], 2,
                    "no \"items\""
                ),
                (
                    "entry without its hash",
                    ["audit", "verify", "--key", keys, "--from-file", try file("no-hash.json", "[\(firstItem.jsonString())]")], 2,
                    "items[0].hash"
                ),
                ("no checkpoint", ["audit", "verify", "--key", keys, "--from-file", pages], 1, "no signed checkpoint"),
                (
                    "entries swapped in the export",
                    ["audit", "verify", "--key", keys, "--from-file", try file("swapped.json", swapped.jsonString())], 1,
                    "entry 2 is missing"
                ),
                (
                    "checkpoint changed after signing",
                    ["audit", "verify", "--key", keys, "--from-file", pages, "--checkpoint", try file("forged.json", forged.jsonString())],
                    1,
                    "does not hold"
                ),
                (
                    "checkpoint file not a checkpoint",
                    ["audit", "verify", "--key", keys, "--from-file", pages, "--checkpoint", try file("not-cp.json", "{}")], 2,
                    "envelope is missing"
                ),
                ("server unreachable", ["audit", "verify", "--key", keys], 2, "cannot reach"),
            ]
            for test in cases {
                let result = try await dpctl(test.arguments, environment: offline)
                #expect(result.status == test.status, "\(test.name): \(result.stdout)\(result.stderr)")
                #expect((result.stdout + result.stderr).contains(test.says), "\(test.name): \(result.stdout)\(result.stderr)")
            }
        }
    }
}

import ArgumentParser
import CLIKit
import Evidence
import Foundation
import SigningKeys

/// `dpctl keys`: signing keys for datapilot-server's key files (docs/operations.md, "Rotating
/// signing keys"). Offline: nothing is sent to a server.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Make and check the server's signing key files (token and evidence keys).",
        subcommands: [KeysGenerate.self, KeysCheck.self])
}

enum KeyType: String, ExpressibleByArgument, CaseIterable {
    case token, evidence
    var kind: SigningKeyKind { self == .token ? .token : .evidence }
}

struct KeysGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Print a new key as a key file line, \"<id> <base64 key> [verify-only]\" (or append it to a file).",
        discussion: """
            Rotation: add the new key with --verify-only to the key file of every replica, then (once all have it) remove \
            verify-only and put it first so it signs; remove the old token key after the longest token lifetime, and keep \
            old evidence keys (as verify-only) for as long as their bundles must verify.
            """)

    @Option(help: "token (HMAC-SHA256, for /auth/token and run tokens) or evidence (Ed25519, for evidence bundles).") var type: KeyType
    @Option(help: "The key id (default: <type>-<yyyymmdd>-<random>).") var id: String?
    @Flag(name: .customLong("verify-only"), help: "Mark the key as verify-only (the first step of a rotation).") var verifyOnly = false
    @Option(help: "Append the line to this key file (created readable by its owner only) instead of printing it.") var file: String?

    func run() throws {
        let id = id ?? type.kind.newID()
        guard SigningKeySet.isValidKeyID(id) else {
            throw CLIError("the key id \"\(id)\" may hold only letters, digits, '.', '_' and '-' (at most 64)", exitCode: 2)
        }
        let line = SigningKeySet.line(id: id, bytes: type.kind.generate(), verifyOnly: verifyOnly)
        guard let file else {
            Terminal.standardOutput.write(line)
            return
        }
        var text = ""
        if FileManager.default.fileExists(atPath: file) {
            guard let data = FileManager.default.contents(atPath: file), let existing = String(data: data, encoding: .utf8) else {
                throw CLIError("cannot read \(file)", exitCode: 2)
            }
            text = existing
            if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        }
        text += line
        let keys: SigningKeySet
        do { keys = try SigningKeySet.parse(text, source: file, kind: type.kind) } catch { throw CLIError("\(error)", exitCode: 1) }
        do { try SigningKeyFile.write(keys, to: file) } catch { throw CLIError("\(error)", exitCode: 1) }
        Terminal.standardOutput.write(
            "added \(type.rawValue) key \(id)\(verifyOnly ? " (verify-only)" : "") to \(file); the signing key is \(keys.signer.id)\n")
    }
}

struct KeysCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check a key file as the server reads it and list its keys (never the key material).")

    @Option(help: "token or evidence.") var type: KeyType
    @Argument(help: "The key file.") var file: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw CLIError("cannot read \(file)", exitCode: 2)
        }
        let keys: SigningKeySet
        do { keys = try SigningKeySet.parse(text, source: file, kind: type.kind) } catch { throw CLIError("\(error)", exitCode: 1) }
        let signer = keys.signer.id
        var rows: [[String]] = []
        for entry in keys.entries {
            let use = entry.id == signer ? "sign" : "verify"
            let keyid = type == .evidence ? ((try? EvidenceKey(raw: entry.bytes))?.keyid ?? "?") : ""
            rows.append([entry.id, use, keyid])
        }
        Terminal.standardOutput.write(
            Table(header: ["ID", "USE", type == .evidence ? "KEYID" : ""], rows: rows).render(width: Terminal.standardOutput.width))
    }
}

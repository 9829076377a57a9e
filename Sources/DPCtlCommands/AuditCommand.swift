import APIClient
import APIModel
import ArgumentParser
import AuditChain
import CLIKit
import Crypto
import Evidence
import Foundation
import Manifests

/// `dpctl audit verify` and `dpctl audit export`: the audit chain checked from outside the server.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check the audit chain against the server's signed checkpoint.",
        subcommands: [AuditVerify.self, AuditExport.self])
}

struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the audit chain and check it against the latest signed checkpoint.",
        discussion: """
            Every entry's hash and link is recomputed here, and the chain must reach the latest checkpoint \
            and hash to what it signed: an entry edited, deleted or moved, the tail cut off, or the whole \
            chain recomputed without the signing key is reported with the entry where it shows. \
            The checkpoint's signature is checked against a pinned key: --key FILE, the server's evidence \
            keys saved out of band (curl https://SERVER/.well-known/datapilot/evidence-keys > evidence-keys.json). \
            --trust-server-key takes the keys from the server being checked instead, and says so. \
            --from-file checks a saved export (dpctl audit export, or the API's pages) with no server at all. \
            Exit status 0 when the chain verifies, 1 when it does not, 2 when the export or the key file \
            cannot be read or the server reached.
            """)

    @Option(help: "The context to use (see dpctl config get-contexts).") var context: String?
    @OptionGroup var keys: PinnedKeys
    @Option(
        name: .customLong("from-file"),
        help: "Check an export instead of the server: dpctl audit export's file, or GET /api/audit/events pages saved as a JSON array.")
    var fromFile: String?
    @Option(help: "The checkpoint to check against (GET /api/audit/checkpoints/latest, saved); default: the export's or the server's.")
    var checkpoint: String?
    @Option(name: [.customShort("o"), .long], help: "Output: text or json.") var output: Output = .text

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() async throws {
        let pinned = try keys.pinned()
        var checkpointJSON = try checkpoint.map { try AuditExportFile.readJSON($0, what: "checkpoint file") }
        let client = fromFile == nil || pinned == nil ? try Self.client(context: context) : nil
        var walkResult: Result<ChainWalk, AuditChainError>
        var signed: AuditCheckpoint?
        do {
            let keys: [String: Curve25519.Signing.PublicKey]
            if let pinned {
                keys = pinned
            } else {
                keys = try EvidenceKey.publicKeys(from: try await client!.send("GET", APIPath.evidenceKeys).json)
            }
            if let fromFile {
                let export = try AuditExportFile.read(fromFile)
                checkpointJSON = checkpointJSON ?? export.checkpoint
                signed = try Self.verifiedCheckpoint(checkpointJSON, keys: keys, origin: checkpoint ?? fromFile)
                // An entry that is not one makes the export unreadable (2), not the chain broken (1).
                let entries = try export.items.enumerated().map { index, item in
                    try AuditEntry(json: item, at: "\(fromFile): items[\(index)]")
                }
                let checkpoints = signed.map { [$0] } ?? []
                walkResult = Result { () throws(AuditChainError) in
                    var walk = ChainWalk(checkpoints: checkpoints)
                    for entry in entries { try walk.add(entry) }
                    try walk.finish()
                    return walk
                }
            } else {
                let client = client!
                // The checkpoints first: every entry they signed is on the server before the pages
                // are read. A saved one (--checkpoint) is checked as well as the server's newest,
                // never instead: the server's must not be older (checkpoints rolled back).
                let saved = try Self.verifiedCheckpoint(checkpointJSON, keys: keys, origin: checkpoint ?? "")
                let newest = try Self.verifiedCheckpoint(
                    try await AuditExportFile.latestCheckpoint(client), keys: keys, origin: "the server's latest checkpoint")
                let checkpoints = [saved, newest].compactMap { $0 }
                signed = checkpoints.max { $0.sequence < $1.sequence }
                if let saved, (newest?.sequence ?? 0) < saved.sequence {
                    throw AuditChainError(
                        .truncated,
                        "the server's newest checkpoint is of entry \(newest.map { String($0.sequence) } ?? "none"), older than the one saved in \(checkpoint ?? "") (entry \(saved.sequence)): its checkpoints were rolled back",
                        sequence: saved.sequence)
                }
                var walk = ChainWalk(checkpoints: checkpoints)
                do {
                    try await AuditExportFile.pages(client) { items, offset in
                        for (index, item) in items.enumerated() {
                            try walk.add(try AuditEntry(json: item, at: "\(APIPath.auditEvents) item \(offset + index)"))
                        }
                    }
                    try walk.finish()
                    walkResult = .success(walk)
                } catch let error as AuditChainError {
                    walkResult = .failure(error)
                }
            }
        } catch let error as APIError {
            throw CLIError(
                error.code == .unreachable
                    ? "cannot reach \(client?.server ?? "the server") to verify against; set --context or DATAPILOT_SERVER" : error.message,
                exitCode: 2)
        } catch let error as EvidenceError {
            throw CLIError("the server's evidence keys: \(error)", exitCode: 2)
        } catch let error as AuditChainError where error.code == .unknownKey || error.code == .badSignature || error.code == .truncated {
            walkResult = .failure(error)
        } catch let error as AuditChainError {
            throw CLIError(error.message, exitCode: 2)
        }
        if signed == nil, case .success(let walk) = walkResult {
            walkResult = .failure(
                AuditChainError(
                    .truncated,
                    "there is no signed checkpoint to check the \(walk.checked) entries against, so a cut-off tail or a chain recomputed without the key would go unnoticed; the server signs one within audit-checkpoint-seconds of a write (an admin can POST /api/audit/checkpoints)"
                ))
        }
        report(walkResult, checkpoint: signed)
        if case .failure = walkResult { throw ExitCode(1) }
    }

    func report(_ result: Result<ChainWalk, AuditChainError>, checkpoint: AuditCheckpoint?) {
        switch output {
        case .json:
            var members: [JSONMember] = []
            switch result {
            case .success(let walk):
                members = [
                    JSONMember("verified", true), JSONMember("checked", .int(walk.checked)), JSONMember("head_sequence", .int(walk.head)),
                ]
            case .failure(let error):
                members = [JSONMember("verified", false)]
                if let sequence = error.sequence { members.append(JSONMember("broken_sequence", .int(sequence))) }
                members.append(JSONMember("reason", .string(error.message)))
            }
            if let checkpoint {
                members.append(
                    JSONMember(
                        "checkpoint",
                        [
                            "sequence": .int(checkpoint.sequence), "hash": .string(checkpoint.hash), "time": .string(checkpoint.time),
                            "key_id": .string(checkpoint.keyID),
                        ]))
            }
            Terminal.standardOutput.write(JSONValue.object(members).jsonString(pretty: true) + "\n")
        case .text:
            let style = Style(enabled: Terminal.standardOutput.isColorful)
            switch result {
            case .success(let walk):
                let checkpoint = checkpoint!
                let after = walk.head - checkpoint.sequence
                Terminal.standardOutput.write(
                    "\(style.green("Audit chain verified")): \(walk.checked) entries; the checkpoint of entry \(checkpoint.sequence) "
                        + "(signed \(checkpoint.time) with key \(checkpoint.keyID)\(keys.trustServerKey ? ", taken from the server being checked" : ", pinned")) matches."
                        + (after > 0 ? " The \(after) entries after it are covered by no checkpoint yet." : "") + "\n")
            case .failure(let error):
                Terminal.standardOutput.write(
                    "\(style.red("Audit chain did NOT verify"))\(error.sequence.map { " at entry \($0)" } ?? ""): \(error.message)\n")
            }
        }
    }

    static func client(context: String?) throws -> APIClient {
        let target = try Target.resolve(context: context)
        return APIClient(server: target.server, token: target.token)
    }

    static func verifiedCheckpoint(_ json: JSONValue?, keys: [String: Curve25519.Signing.PublicKey], origin: String) throws
        -> AuditCheckpoint?
    {
        guard let json else { return nil }
        return try SignedAuditCheckpoint(json: json, at: origin).verified(keys: keys)
    }
}

struct AuditExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the latest signed checkpoint and every audit entry as one JSON document, for dpctl audit verify --from-file.")

    @Option(help: "The context to use (see dpctl config get-contexts).") var context: String?
    @Option(name: [.customShort("o"), .long], help: "Output format: json (the only one).") var output: Format = .json
    @Option(name: [.customShort("f"), .long], help: "Write to this file instead of standard output.") var file: String?

    enum Format: String, ExpressibleByArgument, CaseIterable { case json }

    func run() async throws {
        let client = try AuditVerify.client(context: context)
        var out = ""
        do {
            let checkpoint = try await AuditExportFile.latestCheckpoint(client)
            out = "{\n\"checkpoint\": \(checkpoint?.jsonString() ?? "null"),\n\"items\": ["
            var first = true
            try await AuditExportFile.pages(client) { items, _ in
                for item in items {
                    out += (first ? "\n" : ",\n") + item.jsonString()
                    first = false
                }
            }
            out += "\n]\n}\n"
        } catch let error as APIError {
            throw CLIError(
                error.code == .unreachable ? "cannot reach \(client.server); set --context or DATAPILOT_SERVER" : error.message, exitCode: 2
            )
        }
        if let file {
            guard FileManager.default.createFile(atPath: file, contents: Data(out.utf8)) else {
                throw CLIError("cannot write \(file)", exitCode: 2)
            }
        } else {
            Terminal.standardOutput.write(out)
        }
    }
}

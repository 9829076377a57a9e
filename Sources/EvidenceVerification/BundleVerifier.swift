import APIClient
import APIModel
import Crypto
import Evidence
import Foundation
import Manifests

/// The checks of `dpctl evidence verify`: every envelope's signature by the server's published
/// key, every subject's digest against what the registry and the run hold now, and the audit
/// anchor against the chain (`/api/audit/verify` plus the anchored entries themselves). The web
/// UI's "verified" badge runs the same checks with the signed-in user's token.
public struct BundleVerifier {
    let client: APIClient
    let bundle: EvidenceBundle
    /// The keys the signatures must verify with; nil takes them from the server (--trust-server-key).
    let pinnedKeys: [String: Curve25519.Signing.PublicKey]?

    public init(client: APIClient, bundle: EvidenceBundle, pinnedKeys: [String: Curve25519.Signing.PublicKey]?) {
        self.client = client
        self.bundle = bundle
        self.pinnedKeys = pinnedKeys
    }

    /// One check's outcome, as `dpctl evidence verify` lists it.
    public struct Check: Sendable {
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    public func run() async throws -> [Check] {
        var checks: [Check] = []
        var statements: [JSONValue] = []
        let keys: [String: Curve25519.Signing.PublicKey]
        if let pinnedKeys {
            keys = pinnedKeys
            checks.append(Check(name: "signing key", passed: true, detail: "pinned: \(pinnedKeys.keys.sorted().joined(separator: ", "))"))
        } else {
            keys = try EvidenceKey.publicKeys(from: try await client.send("GET", APIPath.evidenceKeys).json)
            checks.append(Check(name: "signing key", passed: true, detail: "taken from the server being checked (--trust-server-key)"))
        }
        for (index, envelope) in bundle.envelopes.enumerated() {
            do {
                let statement = try envelope.verifiedStatement(keys: keys, at: "envelopes[\(index)]")
                statements.append(statement)
                checks.append(Check(name: "signature \(index)", passed: true, detail: statement["predicateType"]?.stringValue ?? "?"))
            } catch {
                checks.append(Check(name: "signature \(index)", passed: false, detail: "\(error)"))
            }
        }
        for statement in statements {
            switch statement["predicateType"]?.stringValue {
            case StatementType.provenance?: checks += try await provenance(statement)
            case StatementType.testResult?: checks += try await subjects(statement, label: "tested input")
            case StatementType.auditAnchor?: checks += try await anchor(statement)
            default:
                checks.append(
                    Check(
                        name: "statement", passed: false,
                        detail: "unknown predicate type \(statement["predicateType"]?.stringValue ?? "none")"))
            }
        }
        if !statements.contains(where: { $0["predicateType"]?.stringValue == StatementType.provenance }) {
            checks.append(Check(name: "provenance", passed: false, detail: "the bundle carries no verified provenance statement"))
        }
        return checks
    }

    /// Inputs by digest against the registry, artifacts re-hashed from their download.
    func provenance(_ statement: JSONValue) async throws -> [Check] {
        var checks = try await subjects(statement, label: "output")
        let dependencies = statement["predicate"]?["buildDefinition"]?["resolvedDependencies"]?.arrayValue ?? []
        for dependency in dependencies {
            guard let name = dependency["name"]?.stringValue, name.hasPrefix("datasetversion/"),
                let dataset = dependency["annotations"]?["dataset"]?.stringValue
            else { continue }
            let claimed = dependency["digest"]?["sha256"]?.stringValue ?? ""
            checks.append(
                try await version(String(name.dropFirst("datasetversion/".count)), dataset: dataset, claimed: claimed, label: "input"))
        }
        return checks
    }

    func version(_ version: String, dataset: String, claimed: String, label: String) async throws -> Check {
        let name = "\(label) datasetversion/\(version)"
        do {
            let object = try await client.send("GET", APIPath.version(version, of: dataset)).json
            let actual = object["status"]?["sha256"]?.stringValue ?? ""
            return Check(
                name: name, passed: actual == claimed,
                detail: actual == claimed ? "sha256 \(claimed.prefix(16))…" : "registry holds sha256 \(actual), the bundle says \(claimed)")
        } catch let error as APIError where error.status == 404 {
            return Check(name: name, passed: false, detail: "the registry has no such version")
        }
    }

    func subjects(_ statement: JSONValue, label: String) async throws -> [Check] {
        var checks: [Check] = []
        for subject in statement["subject"]?.arrayValue ?? [] {
            let name = subject["name"]?.stringValue ?? ""
            let claimed = subject["digest"]?["sha256"]?.stringValue ?? ""
            if name.hasPrefix("artifact/") {
                let artifact = String(name.dropFirst("artifact/".count))
                let response = try await client.send("GET", APIPath.artifact(artifact, run: bundle.run))
                let actual = Hex.encode(SHA256.hash(data: response.body))
                checks.append(
                    Check(
                        name: "\(label) \(name)", passed: actual == claimed,
                        detail: actual == claimed
                            ? "re-hashed \(response.body.count) bytes" : "the artifact now hashes to \(actual), the bundle says \(claimed)")
                )
            } else if name.hasPrefix("datasetversion/"), let dataset = subject["annotations"]?["dataset"]?.stringValue {
                checks.append(
                    try await version(String(name.dropFirst("datasetversion/".count)), dataset: dataset, claimed: claimed, label: label))
            }
        }
        return checks
    }

    /// The chain verifies, reaches the anchor, and still holds the anchored entries unchanged.
    func anchor(_ statement: JSONValue) async throws -> [Check] {
        let predicate = statement["predicate"] ?? .null
        let headSequence = Int64(predicate["headSequence"]?.numberValue ?? 0)
        let headHash = predicate["headHash"]?.stringValue ?? ""
        let chain = try await client.send("GET", APIPath.auditVerify).json
        var checks = [
            Check(
                name: "audit chain", passed: chain["valid"]?.boolValue == true,
                detail: chain["valid"]?.boolValue == true
                    ? "\(Int(chain["checked"]?.numberValue ?? 0)) entries verify"
                    : chain["reason"]?.stringValue ?? "the chain does not verify")
        ]
        let reaches = Int64(chain["head_sequence"]?.numberValue ?? 0) >= headSequence
        let anchored = try await entryHash(headSequence)
        checks.append(
            Check(
                name: "audit anchor", passed: reaches && anchored == headHash,
                detail: reaches ? "entry \(headSequence) hashes to \(headHash.prefix(16))…" : "the chain ends before entry \(headSequence)")
        )
        var mismatched: [Int64] = []
        let events = predicate["events"]?.arrayValue ?? []
        for event in events {
            let sequence = Int64(event["sequence"]?.numberValue ?? 0)
            if try await entryHash(sequence) != event["hash"]?.stringValue { mismatched.append(sequence) }
        }
        checks.append(
            Check(
                name: "run's audit events", passed: mismatched.isEmpty,
                detail: mismatched.isEmpty
                    ? "\(events.count) events unchanged" : "entries \(mismatched.map(String.init).joined(separator: ", ")) differ"))
        return checks
    }

    /// The hash of audit entry `sequence`; nil when the server holds no such entry.
    func entryHash(_ sequence: Int64) async throws -> String? {
        do {
            let event = try await client.send("GET", APIPath.auditEvent(sequence)).json
            return event["sequence"]?.numberValue == Double(sequence) ? event["hash"]?.stringValue : nil
        } catch let error as APIError where error.code == .notFound {
            return nil
        }
    }
}

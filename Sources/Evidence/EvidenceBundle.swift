import Foundation
import Manifests

/// The file `POST /api/experiment-runs/{run}/evidence-bundles` stores and `dpctl evidence
/// verify` checks: signed in-toto statements (SLSA provenance, test results, the audit anchor).
public struct EvidenceBundle: Sendable {
    public static let mediaType = "application/vnd.datapilot.evidence.v1+json"

    public var id: String
    public var run: String
    public var createdAt: String
    public var server: String
    public var envelopes: [Envelope]

    public init(id: String, run: String, createdAt: String, server: String, envelopes: [Envelope]) {
        self.id = id
        self.run = run
        self.createdAt = createdAt
        self.server = server
        self.envelopes = envelopes
    }

    public var json: JSONValue {
        [
            "mediaType": .string(Self.mediaType), "id": .string(id), "run": .string(run), "createdAt": .string(createdAt),
            "server": .string(server), "envelopes": .array(envelopes.map(\.json)),
        ]
    }

    public init(bytes: [UInt8]) throws {
        guard case .success(let json) = JSONText.parse(bytes) else { throw EvidenceError(.malformed, "the file is not JSON") }
        guard json["mediaType"]?.stringValue == Self.mediaType else {
            throw EvidenceError(.malformed, "mediaType is not \(Self.mediaType): not a DataPilot evidence bundle")
        }
        guard let id = json["id"]?.stringValue, let run = json["run"]?.stringValue, let list = json["envelopes"]?.arrayValue else {
            throw EvidenceError(.malformed, "the bundle needs id, run and envelopes")
        }
        self.id = id
        self.run = run
        createdAt = json["createdAt"]?.stringValue ?? ""
        server = json["server"]?.stringValue ?? ""
        envelopes = try list.enumerated().map { try Envelope(json: $1, at: "envelopes[\($0)]") }
    }
}

/// The statement types in a bundle.
public enum StatementType {
    public static let statement = "https://in-toto.io/Statement/v1"
    public static let provenance = "https://slsa.dev/provenance/v1"
    public static let testResult = "https://in-toto.io/attestation/test-result/v0.1"
    public static let auditAnchor = "https://datapilot.io/attestation/audit-anchor/v1"

    public static func statement(subjects: [JSONValue], predicateType: String, predicate: JSONValue) -> JSONValue {
        ["_type": .string(statement), "subject": .array(subjects), "predicateType": .string(predicateType), "predicate": predicate]
    }

    public static func subject(_ name: String, sha256: String) -> JSONValue {
        ["name": .string(name), "digest": ["sha256": .string(sha256)]]
    }
}

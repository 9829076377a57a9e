import APIModel
import Foundation
import Manifests
import Testing

/// The wire types against docs/openapi.yaml: what the client encodes is what the document says
/// the server takes, both with every field set and with only the required ones.
@Suite struct WireContractTests {
    let document: OpenAPIDocument
    init() throws { document = try OpenAPIDocument() }

    static let commit = String(repeating: "ab", count: 20)

    static let fullSync = SyncEvent(
        source: "demo", commit: commit, result: .synced, repository: "https://git.example/ml.git",
        author: "Ada <ada@example.com>", message: "Add churn", error: "x.yaml:1:1: bad", counts: ["created": 2],
        signer: "Ada <ada@example.com> (GPG key 1442A77A09D4620B76171322CAA1888BFE1AC33A)")
    static let fullDrift = DriftEvent(
        source: "demo", event: .detected, object: ObjectRef(.dataset, "churn"), drift: .modified,
        commit: commit, repository: "https://git.example/ml.git",
        fields: [FieldDrift(path: "/spec/owner", desired: "ml", live: "ops")],
        changedBy: DriftEvent.Change(actor: "apikey:1", time: "2026-11-30T00:00:00Z", action: "update", requestID: "r1"),
        desiredBy: DriftEvent.DesiredBy(commit: commit, author: "Ada <ada@example.com>", merge: commit))

    @Test func syncEventsAreWhatTheDocumentTakes() throws {
        let schema = try document.requestBody("post", "/api/audit/syncs")
        #expect(try document.mismatches(Self.fullSync.json, schema) == [])
        #expect(try document.mismatches(SyncEvent(source: "demo", commit: Self.commit, result: .failed).json, schema) == [])
        let documented = schema["properties"]?["result"]?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(documented == SyncOutcome.recordedInAudit.map(\.rawValue))
    }

    @Test func driftEventsAreWhatTheDocumentTakes() throws {
        let schema = try document.requestBody("post", "/api/audit/drift")
        #expect(try document.mismatches(Self.fullDrift.json, schema) == [])
        let minimal = DriftEvent(
            source: "demo", event: .healed, object: ObjectRef(.run, "r"), drift: .deleted, commit: nil,
            repository: nil, fields: [], changedBy: nil)
        #expect(try document.mismatches(minimal.json, schema) == [])
        #expect(schema["properties"]?["drift"]?["enum"]?.arrayValue?.compactMap(\.stringValue) == DriftKind.allCases.map(\.rawValue))
        #expect(schema["properties"]?["event"]?["enum"]?.arrayValue?.compactMap(\.stringValue) == DriftEvent.Event.allCases.map(\.rawValue))
    }

    @Test func sourceControlEventsAreWhatTheDocumentTakes() throws {
        let schema = try document.requestBody("post", SourceControlEvent.route)
        let full = SourceControlEvent(
            source: "demo", action: .rollback, requestedBy: "apikey:1", role: "admin", commit: Self.commit, previous: Self.commit)
        #expect(try document.mismatches(full.json, schema) == [])
        #expect(
            try document.mismatches(SourceControlEvent(source: "demo", action: .sync, requestedBy: "a", role: "editor").json, schema) == [])
        let documented = schema["properties"]?["action"]?["enum"]?.arrayValue?.compactMap(\.stringValue)
        #expect(documented == SourceControlEvent.Action.allCases.map(\.rawValue))
        #expect(throws: BodyError.self) {
            try SourceControlEvent(source: "demo", action: .rollback, requestedBy: "a", role: "admin").validate()
        }
    }

    @Test func problemsAndApplySetsAndPagesAreWhatTheDocumentSays() throws {
        let problem = ProblemDetails(
            status: 422, title: "Invalid object", detail: "spec.format: bad", instance: "/api/datasets", requestID: "r",
            errors: [.init(path: "spec.format", line: 1, column: 2, code: "invalidValue", message: "bad")])
        #expect(try document.mismatches(try Self.encode(problem), try document.schema(named: "Problem")) == [])
        let members = ApplySetBody(members: [ObjectRef(.dataset, "churn"), ObjectRef(.qualityRule, "rows")])
        #expect(try document.mismatches(members.json, try document.schema(named: "ApplySetInput")) == [])
        let page = Page<JSONValue>(items: [], nextPageToken: "MQ")
        #expect(try document.mismatches(try Self.encode(page), try document.schema(named: "AuditEventList")) == [])
    }

    /// The checker itself finds what it is for: a key the document lacks, a missing required
    /// key, a value outside the enum.
    @Test func theCheckFindsMismatches() throws {
        let schema = try document.requestBody("post", "/api/audit/syncs")
        var extra = Self.fullSync.json.objectValue ?? []
        extra.append(JSONMember("surprise", 1))
        #expect(try document.mismatches(.object(extra), schema) == [".surprise: written by the type, not in the document"])
        let missing = JSONValue.object((Self.fullSync.json.objectValue ?? []).filter { $0.key != "commit" })
        #expect(try document.mismatches(missing, schema) == [".commit: required by the document, not written by the type"])
        let wrong = JSONValue.object((Self.fullSync.json.objectValue ?? []).map { $0.key == "result" ? JSONMember("result", "error") : $0 })
        #expect(try document.mismatches(wrong, schema).count == 1)
    }

    static func encode(_ value: some Encodable) throws -> JSONValue {
        let data = try JSONEncoder().encode(value)
        guard case .success(let json) = JSONText.parse(Array(data)) else { throw CheckFailure("does not encode to JSON") }
        return json
    }
}

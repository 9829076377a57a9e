import APIModel
import Foundation
import Manifests
import Testing

/// `BatchRequest` and `BatchResponse`: the client's check names the field the server's 422
/// would, and both encode as docs/openapi.yaml documents them.
@Suite struct BatchBodyTests {
    static func dataset(_ name: String) -> JSONValue {
        ["apiVersion": .string(ManifestKind.apiVersion), "kind": "Dataset", "metadata": ["name": .string(name)], "spec": [:]]
    }

    static func body(_ objects: [JSONValue]) -> JSONValue {
        ["objects": .array(objects.map { ["manifest": $0] })]
    }

    static let badBodies: [(JSONValue, String)] = [
        (body([]), "objects"),
        (body((0...BatchRequest.maxObjects).map { dataset("d\($0)") }), "objects"),
        (body([dataset("a"), dataset("b"), dataset("a")]), "objects[2]"),
        (body([dataset("a"), ["kind": "Model", "metadata": ["name": "m"]]]), "objects[1].manifest.kind"),
        (body([["metadata": ["name": "m"]]]), "objects[0].manifest.kind"),
        (body([["kind": "Dataset", "metadata": [:]]]), "objects[0].manifest.metadata.name"),
        (body([["kind": "Dataset", "metadata": ["name": ""]]]), "objects[0].manifest.metadata.name"),
        (body([3]), "objects[0].manifest"),
        (["objects": [["manifest": dataset("a"), "idempotencyKey": "has space"]]], "objects[0].idempotencyKey"),
        (["objects": [["manifest": dataset("a"), "ifMatch": ""]]], "objects[0].ifMatch"),
        (
            ["objects": [["manifest": dataset("a"), "idempotencyKey": "k"], ["manifest": dataset("b"), "idempotencyKey": "k"]]],
            "objects[1].idempotencyKey"
        ),
        (["objects": [["ifMatch": "\"1\""]]], "objects[0].manifest"),
        (JSONValue.object([]), "objects"),
    ]

    @Test(arguments: badBodies)
    func badBatchesNameTheField(body: JSONValue, field: String) {
        do {
            _ = try BatchRequest.decode(body)
            Issue.record("accepted \(body.jsonString().prefix(200))")
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(!error.expectation.isEmpty)
        }
    }

    static let fullRequest: BatchRequest = {
        var source = BatchSource()
        source.repository = "https://git.example/ml.git"
        source.commit = String(repeating: "ab", count: 20)
        source.author = "Ada <ada@example.com>"
        source.path = "datasets/churn.yaml"
        source.tool = "dpctl apply"
        source.committer = "Ada <ada@example.com>"
        source.merge = String(repeating: "cd", count: 20)
        source.attribution = "file"
        return BatchRequest(objects: [
            BatchObject(manifest: dataset("churn"), ifMatch: "\"3\"", idempotencyKey: "dpctl-1", source: source),
            BatchObject(manifest: dataset("other")),
        ])
    }()

    @Test func batchesAreWhatTheDocumentTakes() throws {
        let document = try OpenAPIDocument()
        let schema = try document.requestBody("post", "/api/batch")
        #expect(try document.mismatches(Self.fullRequest.json, schema) == [])
        #expect(try document.mismatches(BatchRequest(objects: [BatchObject(manifest: Self.dataset("a"))]).json, schema) == [])
        #expect(try BatchRequest.decode(Self.fullRequest.json).json.canonicalJSON == Self.fullRequest.json.canonicalJSON)

        let results = BatchResponse(results: [
            BatchResult(object: "dataset/churn", index: 0, result: .created, status: 201, resourceVersion: "1"),
            BatchResult(
                object: "qualityrule/r", index: 1, result: .refused, status: 422, detail: "objects[1] (qualityrule/r): missing",
                errors: [.init(path: "objects[1].manifest.spec.dataset", code: "Missing reference", message: "missing")]),
        ])
        #expect(try document.mismatches(results.json, try document.schema(named: "BatchResponse")) == [])
        let outcomes = try document.schema(named: "BatchResult")["properties"]?["result"]?["enum"]?.arrayValue?.compactMap(\.stringValue)
        #expect(outcomes == BatchOutcome.allCases.map(\.rawValue))
        var problem = (try document.schema(named: "BatchProblem"))["properties"]?.objectValue?.map(\.key) ?? []
        problem.removeAll { $0 == "results" }
        let plain = (try document.schema(named: "Problem"))["properties"]?.objectValue?.map(\.key) ?? []
        #expect(problem == plain, "a refused batch is a Problem with results")
    }

    @Test func theSourceIsTheHeadersAWriteWouldSend() {
        var info = SourceInfo(repository: "https://git.example/ml.git", commit: "c1", author: "A <a@x>", tool: "dpctl apply")
        info.files["a.yaml"] = .init(commit: "c2", author: "B <b@x>", committer: "C <c@x>", merge: "m", attribution: "file")
        let source = BatchSource(info, path: "a.yaml")
        for (name, value) in info.headers(path: "a.yaml") {
            #expect(source[ProvenanceHeader(rawValue: name)!] == value, "\(name)")
        }
        #expect(source.commit == "c2" && source.merge == "m" && source.path == "a.yaml")
    }
}

import Hummingbird
import HummingbirdTesting
import Manifests
import ServiceKit
import Testing

@Suite struct JSONBodyTests {
    @Test func aJSONObjectIsTaken() async throws {
        try await withTestApp { client in
            let echoed = try await client.execute(
                uri: "/object", method: .post, headers: .json(), body: ByteBuffer(string: #"{"a": [1, "b"]}"#))
            #expect(echoed.status == .ok)
            #expect(echoed.json["a"]?[1]?.stringValue == "b")
            let problemJSON = try await client.execute(
                uri: "/object", method: .post, headers: [.contentType: "application/merge-patch+json"],
                body: ByteBuffer(string: "{}"))
            #expect(problemJSON.status == .ok, "any +json type is JSON")
        }
    }

    @Test func whatIsNotAJSONObjectIsNamed() async throws {
        try await withTestApp { client in
            let plain = try await client.execute(
                uri: "/object", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{}"))
            #expect(plain.status == .unsupportedMediaType)
            #expect(plain.json["detail"]?.stringValue == "send the body as application/json (got text/plain)")
            let untyped = try await client.execute(uri: "/object", method: .post, body: ByteBuffer(string: "{}"))
            #expect(untyped.json["detail"]?.stringValue == "send the body as application/json (got no Content-Type)")

            let broken = try await client.execute(uri: "/object", method: .post, headers: .json(), body: ByteBuffer(string: #"{"a": "#))
            #expect(broken.status == .badRequest)
            #expect(broken.json["title"]?.stringValue == "Bad JSON")
            let array = try await client.execute(uri: "/object", method: .post, headers: .json(), body: ByteBuffer(string: "[1]"))
            #expect(array.status == .badRequest)
            #expect(array.json["detail"]?.stringValue == "the body must be a JSON object")

            let large = try await client.execute(
                uri: "/object", method: .post, headers: .json(),
                body: ByteBuffer(string: #"{"a": "\#(String(repeating: "x", count: 100))"}"#))
            #expect(large.status == .contentTooLarge)
            #expect(large.json["detail"]?.stringValue == "the body is over 64 bytes")
        }
    }

    @Test func anInvalidObjectIs422WithEveryProblem() async throws {
        try await withTestApp { client in
            let good = #"{"metadata": {"name": "churn"}, "spec": {"owner": "growth@example.com", "format": "csv"}}"#
            let accepted = try await client.execute(uri: "/dataset", method: .post, headers: .json(), body: ByteBuffer(string: good))
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(accepted.json["name"]?.stringValue == "churn")

            let bad = #"{"metadata": {"name": "Churn!"}, "spec": {"format": "xls"}}"#
            let refused = try await client.execute(uri: "/dataset", method: .post, headers: .json(), body: ByteBuffer(string: bad))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(refused.json["title"]?.stringValue == "Invalid object")
            let errors = refused.json["errors"]?.arrayValue ?? []
            #expect(errors.count >= 2, "\(refused.text)")
            #expect(
                errors.allSatisfy { $0["path"]?.stringValue != nil && $0["line"]?.numberValue != nil && $0["code"]?.stringValue != nil })
            #expect(refused.json["detail"]?.stringValue?.contains("(and \(errors.count - 1) more)") == true, "\(refused.text)")
        }
    }
}

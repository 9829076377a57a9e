import Foundation
import Hummingbird
import HummingbirdTesting
import Manifests
import ServiceKit
import Testing

/// Every error as RFC 9457 problem+json, with the request id a user can quote.
@Suite struct ProblemTests {
    @Test func aProblemCarriesItsMembersAndTheRequestID() async throws {
        try await withTestApp { client in
            let answer = try await client.execute(uri: "/conflict", method: .get, headers: [.requestID: "req-42.a_b"])
            #expect(answer.status == .conflict)
            #expect(answer.headers[.contentType] == "application/problem+json")
            #expect(answer.headers[.requestID] == "req-42.a_b")
            #expect(answer.json["type"]?.stringValue == "https://datapilot.io/problems/409")
            #expect(answer.json["title"]?.stringValue == "Taken")
            #expect(answer.json["status"]?.numberValue == 409)
            #expect(answer.json["detail"]?.stringValue == "churn-1 holds other content")
            #expect(answer.json["instance"]?.stringValue == "/conflict")
            #expect(answer.json["request_id"]?.stringValue == "req-42.a_b")
            #expect(answer.json["name"]?.stringValue == "churn-1", "extensions are members of their own")
        }
    }

    @Test func anInsaneRequestIDIsReplaced() async throws {
        try await withTestApp { client in
            let answer = try await client.execute(uri: "/conflict", method: .get, headers: [.requestID: "evil id <script>"])
            let id = try #require(answer.json["request_id"]?.stringValue)
            #expect(id != "evil id <script>")
            #expect(UUID(uuidString: id) != nil, "a fresh UUID: \(id)")
            #expect(answer.headers[.requestID] == id)
        }
    }

    @Test func whatIsNoProblemYetBecomesOne() async throws {
        try await withTestApp { client in
            let unknown = try await client.execute(uri: "/crash", method: .get)
            #expect(unknown.status == .internalServerError)
            #expect(unknown.headers[.contentType] == "application/problem+json")
            let id = try #require(unknown.json["request_id"]?.stringValue)
            #expect(
                unknown.json["detail"]?.stringValue == "the server failed to handle this request; quote request id \(id) when reporting it")
            #expect(!unknown.text.contains("UnexpectedError"), "the error itself is for the log")

            let missing = try await client.execute(uri: "/nowhere", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.json["detail"]?.stringValue == "no route for GET /nowhere; see /openapi.yaml")
        }
    }
}

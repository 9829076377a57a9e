import Foundation
import Manifests
import Testing

/// Every string JSON can carry comes back exactly from every read, and what it cannot carry is
/// refused with a 422 that names the place, never stored and never dropped (issue 16, item 1).
@Suite struct ExactJSONTests {
    /// C1 controls (escaped and raw), a surrogate pair as Python's json.dumps writes it, a C0
    /// control, noncharacters and an astral character written raw.
    static let owner = "a\u{80}\u{9F} 😀 \u{01} " + String(Character(Unicode.Scalar(0xFDD0)!)) + " 𝄞"
    static let ownerJSON = #"a\u0080\u009f \ud83d\ude00 \u0001 \ufdd0 𝄞"#

    @Test func strangeButValidStringsRoundTripThroughEveryRead() async throws {
        try await withServer { server in
            let body = #"{"metadata": {"name": "exact"}, "spec": {"owner": "\#(Self.ownerJSON)", "format": "csv"}}"#
            let created = try await server.request("POST", "/api/datasets", json: body)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["spec"]?["owner"]?.stringValue == Self.owner, "\(created.text)")
            let read = try await server.request("GET", "/api/datasets/exact")
            #expect(read.json["spec"]?["owner"]?.stringValue == Self.owner, "\(read.text)")
            #expect(read.json["spec"]?["format"]?.stringValue == "csv")
            let list = try await server.request("GET", "/api/datasets")
            #expect(list.json["items"]?[0]?["spec"]?["owner"]?.stringValue == Self.owner, "\(list.text)")
            let event = try #require(try await server.auditEvents("&resource=dataset/exact").first)
            #expect(event.jsonString().contains("\"owner\""))
            #expect(Self.strings(in: event).contains(Self.owner), "\(event)")
            let get = try await dpctl(["get", "dataset", "exact", "-o", "json"], environment: server.env)
            #expect(get.status == 0, "\(get.stderr)")
            guard case .success(let printed) = JSONText.parse(get.stdout) else {
                Issue.record("dpctl get -o json printed no JSON: \(get.stdout)")
                return
            }
            #expect(Self.strings(in: printed).contains(Self.owner), "\(get.stdout)")
        }
    }

    @Test(arguments: [
        (#"\ud83d"#, "low half is missing"),
        (#"\ude00"#, "without its high half"),
        (#"a\u0000"#, "NUL"),
    ])
    func stringsJSONCannotCarryAreRefusedAndNothingIsStored(owner: String, reason: String) async throws {
        try await withServer { server in
            let body = #"{"metadata": {"name": "refused"}, "spec": {"owner": "\#(owner)", "format": "csv"}}"#
            let response = try await server.request("POST", "/api/datasets", json: body)
            #expect(response.status == 422, "\(response.text)")
            #expect(response.json["detail"]?.stringValue?.contains(reason) == true, "\(response.text)")
            #expect(response.json["errors"]?[0]?["line"]?.numberValue == 1, "\(response.text)")
            #expect(try await server.request("GET", "/api/datasets/refused").status == 404)
            #expect(try await server.auditEvents().isEmpty)
        }
    }

    /// The whole documented range of a 32-bit exit status, and no more.
    @Test func exitCodesCoverTheInt32Range() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            #expect(try await server.request("POST", "/api/experiments", json: experiment("m", datasets: ["churn"])).status == 201)
            for (run, code, status) in [("low", "-2147483648", 200), ("high", "2147483647", 200), ("over", "2147483648", 422)] {
                #expect(try await server.request("POST", "/api/experiments/m/runs", json: #"{"name": "\#(run)"}"#).status == 201)
                #expect(try await server.request("PUT", "/api/experiment-runs/\(run)/state", json: #"{"state": "RUNNING"}"#).status == 200)
                let done = try await server.request(
                    "PUT", "/api/experiment-runs/\(run)/state", json: #"{"state": "FAILED", "exitCode": \#(code)}"#)
                #expect(Int(done.status) == status, "\(code): \(done.text)")
                if status == 200 { #expect(done.json["status"]?["exitCode"]?.numberValue == Double(code)) }
            }
        }
    }

    static func strings(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text): return [text]
        case .array(let items): return items.flatMap(strings)
        case .object(let members): return members.flatMap { strings(in: $0.value) }
        default: return []
        }
    }
}

import Foundation
import Manifests
import TestSupport
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

    /// Random strings from every plane (no NUL, no lone surrogates), sent escaped the way Python's
    /// json.dumps writes them (surrogate pairs) or raw, through create, get, list, the audit diff and
    /// `dpctl get -o json`: each comes back exactly.
    @Test func randomStringsRoundTripThroughTheServer() async throws {
        var generator = SeededRandom(seed: 0xDA7A)
        var owners: [String] = []
        for _ in 0..<24 {
            var scalars: [Unicode.Scalar] = []
            for _ in 0..<(1 + Int(generator.next() % 10)) {
                let plane = generator.next() % 3 == 0 ? UInt32(generator.next() % 17) : 0
                if let scalar = Unicode.Scalar(plane << 16 | UInt32(generator.next() & 0xFFFF)), scalar.value != 0 {
                    scalars.append(scalar)
                }
            }
            owners.append(String(String.UnicodeScalarView(scalars)))
        }
        try await withServer { server in
            for (index, owner) in owners.enumerated() {
                let escaped = index % 2 == 0 ? Self.pythonEscaped(owner) : JSONValue.string(owner).jsonString()
                let body = #"{"metadata": {"name": "r\#(index)"}, "spec": {"owner": \#(escaped), "format": "csv"}}"#
                let created = try await server.request("POST", "/api/datasets", json: body)
                #expect(created.status == 201, "\(index): \(created.text)")
                #expect(created.json["spec"]?["owner"]?.stringValue == owner, "\(index)")
                #expect(try await server.request("GET", "/api/datasets/r\(index)").json["spec"]?["owner"]?.stringValue == owner, "\(index)")
            }
            let listed = try await server.request("GET", "/api/datasets?page_size=100").json["items"]?.arrayValue ?? []
            #expect(Set(listed.compactMap { $0["spec"]?["owner"]?.stringValue }) == Set(owners))
            let audited = Set(try await server.auditEvents("&action=create").flatMap { Self.strings(in: $0) })
            #expect(Set(owners).isSubset(of: audited))
            let get = try await dpctl(["get", "datasets", "-o", "json"], environment: server.env)
            guard case .success(let printed) = JSONText.parse(get.stdout) else {
                Issue.record("dpctl get -o json printed no JSON: \(get.stdout.prefix(300)) \(get.stderr)")
                return
            }
            #expect(Set(owners).isSubset(of: Set(Self.strings(in: printed))))
        }
    }

    /// JSON text of `text` with every character escaped as `\uXXXX` UTF-16 units (surrogate pairs
    /// for astral characters), as Python's json.dumps writes non-ASCII by default.
    static func pythonEscaped(_ text: String) -> String {
        "\""
            + text.utf16.map { unit in
                let digits = String(unit, radix: 16)
                return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            }.joined() + "\""
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

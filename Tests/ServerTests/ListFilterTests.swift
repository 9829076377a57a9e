import Curl
import Foundation
import Manifests
import Testing

/// The collections' field filters and counts: `?state=` on runs, `?admission=` on versions,
/// `?count=true` answering `total_size` over every page of the same filter.
@Suite struct ListFilterTests {
    func upload(_ server: TestServer, _ version: String) async throws {
        let response = try await server.request(
            "POST", "/api/datasets/churn/versions/upload?name=\(version)", body: .bytes(Array("id\n1\n".utf8)))
        #expect(response.status == 201, "\(response.text)")
    }

    func names(_ response: HTTPResponse) -> [String] {
        (response.json["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
    }

    @Test func versionsByAdmissionRunsByStateAndCountsOverEveryPage() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            for n in 1...3 { try await upload(server, "churn-\(n)") }
            let quarantine = try await server.request(
                "POST", "/api/datasetversions/churn-2/admission", json: #"{"state": "Quarantined", "reason": "bad export"}"#)
            #expect(quarantine.status == 200, "\(quarantine.text)")

            let quarantined = try await server.request("GET", "/api/datasetversions?admission=Quarantined&count=true")
            #expect(names(quarantined) == ["churn-2"], "\(quarantined.text)")
            #expect(quarantined.json["total_size"]?.numberValue == 1, "\(quarantined.text)")
            let unchecked = try await server.request("GET", "/api/datasetversions?admission=Unchecked&page_size=1&count=true")
            #expect(names(unchecked) == ["churn-1"] && unchecked.json["next_page_token"] != nil, "\(unchecked.text)")
            #expect(unchecked.json["total_size"]?.numberValue == 2, "the count covers every page: \(unchecked.text)")
            let next = try #require(unchecked.json["next_page_token"]?.stringValue)
            let second = try await server.request("GET", "/api/datasetversions?admission=Unchecked&page_size=1&page_token=\(next)")
            #expect(names(second) == ["churn-3"] && second.json["total_size"] == nil, "no count unless asked: \(second.text)")

            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            for name in ["r1", "r2", "r3"] {
                #expect(try await server.request("POST", "/api/runs", json: run(name, experiment: "churn-model")).status == 201)
            }
            let started = try await server.request("PUT", "/api/experiment-runs/r2/state", json: #"{"state": "RUNNING"}"#)
            #expect(started.status == 200, "\(started.text)")
            let running = try await server.request("GET", "/api/runs?state=RUNNING&count=true")
            #expect(names(running) == ["r2"] && running.json["total_size"]?.numberValue == 1, "\(running.text)")
            let queued = try await server.request("GET", "/api/runs?state=QUEUED")
            #expect(names(queued) == ["r1", "r3"], "\(queued.text)")
        }
    }

    /// A label selector and a field filter together, counted; the other kinds count too.
    @Test func countsFollowTheLabelSelector() async throws {
        try await withServer { server in
            for (name, team) in [("a1", "a"), ("a2", "a"), ("b1", "b")] {
                let created = try await server.request("POST", "/api/datasets", json: dataset(name, labels: #"{"team": "\#(team)"}"#))
                #expect(created.status == 201)
            }
            let teamA = try await server.request("GET", "/api/datasets?label_selector=team%3Da&count=true&page_size=1")
            #expect(names(teamA) == ["a1"] && teamA.json["total_size"]?.numberValue == 2, "\(teamA.text)")
            let all = try await server.request("GET", "/api/datasets?count=true")
            #expect(all.json["total_size"]?.numberValue == 3, "\(all.text)")
        }
    }

    /// Bad filters: each a 400 naming the parameter and what it takes; nothing listed.
    @Test func badFiltersSayWhatTheyTake() async throws {
        try await withServer { server in
            let cases: [(path: String, says: String)] = [
                ("/api/runs?state=running", "state must be one of QUEUED, RUNNING"),
                ("/api/runs?state=", "state must be one of"),
                ("/api/datasetversions?admission=quarantined", "admission must be one of"),
                ("/api/datasets?count=yes", "count must be true or false"),
                ("/api/runs?count=1", "count must be true or false"),
            ]
            for (path, says) in cases {
                let response = try await server.request("GET", path)
                #expect(response.status == 400, "\(path): \(response.text)")
                #expect(response.text.contains(says), "\(path): \(response.text)")
                #expect(response.header("content-type") == "application/problem+json", "\(path)")
            }
        }
    }
}

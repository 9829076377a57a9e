import Foundation
import Testing

/// Every kind, dataset versions included, is created through one write path: creates of one
/// name take turns, so a retry racing the request it retries gets that request's answer, and a
/// racing create of a taken name is told so.
@Suite struct WritePathTests {
    /// `count` concurrent POSTs of `body` to `path`: (status, title or body) of each.
    func race(
        _ server: TestServer, _ count: Int, _ path: String, json body: String,
        headers: [(String, String)] = []
    ) async throws -> [(status: Int, title: String?, text: String)] {
        try await withThrowingTaskGroup(of: (status: Int, title: String?, text: String).self) { group in
            for _ in 0..<count {
                group.addTask {
                    let response = try await server.request("POST", path, json: body, headers: headers)
                    return (response.status, response.json["title"]?.stringValue, response.text)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func racingRetriesGetTheFirstAnswer() async throws {
        try await withServer { server in
            // A dataset, and a version of it: the same path for both.
            let datasets = try await race(server, 6, "/api/datasets", json: dataset("raced"), headers: [("Idempotency-Key", "race-1")])
            #expect(datasets.allSatisfy { $0.status == 201 }, "\(datasets.map { ($0.status, $0.title) })")
            #expect(Set(datasets.map(\.text)).count == 1, "every retry gets the first answer")
            let versions = try await race(
                server, 6, "/api/datasets/raced/versions", json: externalVersion("raced-1", dataset: "raced"),
                headers: [("Idempotency-Key", "race-2")])
            #expect(versions.allSatisfy { $0.status == 201 }, "\(versions.map { ($0.status, $0.title) })")
            #expect(Set(versions.map(\.text)).count == 1, "every retry gets the first answer")
            let events = try await server.request("GET", "/api/audit/events?resource=datasetversion/raced-1")
            #expect(events.json["items"]?.arrayValue?.count == 1)
        }
    }

    @Test func racingCreatesOfOneNameAreToldItIsTaken() async throws {
        try await withServer { server in
            let datasets = try await race(server, 6, "/api/datasets", json: dataset("taken"))
            #expect(datasets.filter { $0.status == 201 }.count == 1)
            #expect(
                datasets.filter { $0.status == 409 && $0.title == "Already exists" }.count == 5, "\(datasets.map { ($0.status, $0.title) })"
            )
            // A version sent again with its content is the same version.
            let versions = try await race(server, 6, "/api/datasets/taken/versions", json: externalVersion("taken-1", dataset: "taken"))
            #expect(versions.filter { $0.status == 201 }.count == 1)
            #expect(versions.filter { $0.status == 200 }.count == 5, "\(versions.map { ($0.status, $0.title) })")
        }
    }
}

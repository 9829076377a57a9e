import Curl
import Foundation
import TestSupport
import Testing

/// Issue 14, finding 7 (Postgres down): the API answered 500 and `/readyz` told anyone the
/// database's host and port. It must answer 503 with Retry-After, and a generic `/readyz`.
@Suite("SecurityTests: database down", .serialized)
struct SecurityDatabaseDownTests {
    @Test func aDatabaseOutageIs503AndReadyzNamesNoHost() async throws {
        try await withServer { direct in
            // A second server on the same database, reaching Postgres through a relay the test cuts.
            let cluster = try #require(URLComponents(string: try TestDatabase.url()))
            let clusterPort = try #require(cluster.port)
            // Stopping the proxy drops every relayed connection and refuses new ones, as a
            // database host going away does.
            let relay = try await ForwardingProxy.start(to: clusterPort)
            defer { relay.stop() }
            var relayed = try #require(URLComponents(string: direct.databaseURL))
            relayed.port = relay.peer.port
            let server = try await direct.sibling(arguments: ["--database-url", relayed.string!])

            #expect(try await server.request("GET", "/readyz", key: nil).status == 200)
            let token = try #require(try await server.request("POST", "/auth/token").json["access_token"]?.stringValue)
            relay.stop()

            // Every API route: 503 with Retry-After, nothing about where the database is.
            let secrets = ["127.0.0.1", "localhost", String(relay.peer.port), String(clusterPort), "datapilot@", "postgres://"]
            for attempt in 1...2 {
                let down = try await server.request("GET", "/api/datasets")
                #expect(down.status == 503, "attempt \(attempt): \(down.status) \(down.text)")
                #expect(down.header("Retry-After").flatMap(Int.init) != nil, "attempt \(attempt)")
                #expect(down.header("Content-Type") == "application/problem+json")
                for secret in secrets { #expect(!down.text.contains(secret), "attempt \(attempt) tells \(secret): \(down.text)") }
            }
            let withToken = try await server.request("GET", "/api/experiments", key: token)
            #expect(withToken.status == 503, "\(withToken.status) \(withToken.text)")

            // /readyz: unavailable, and no more than that for an anonymous caller.
            let anonymous = try await server.request("GET", "/readyz", key: nil)
            #expect(anonymous.status == 503)
            #expect(anonymous.json["status"]?.stringValue == "unavailable")
            #expect(anonymous.json["checks"]?["database"]?.stringValue == "unavailable", "\(anonymous.text)")
            #expect(anonymous.json["checks"]?["objectStore"]?.stringValue == "ok", "\(anonymous.text)")
            for secret in secrets { #expect(!anonymous.text.contains(secret), "/readyz tells \(secret): \(anonymous.text)") }

            // Not even an admin's token is taken while the database is down: whether its API key was
            // revoked cannot be checked (fail closed), so the answer is the generic 503, secrets-free.
            let admin = try await server.request("GET", "/readyz", key: token)
            #expect(admin.status == 503)
            #expect(admin.json["details"] == nil, "\(admin.text)")
            for secret in secrets { #expect(!admin.text.contains(secret), "/readyz tells \(secret): \(admin.text)") }

            // The details are in the log for the operator.
            let log = (try? String(contentsOf: server.logFile, encoding: .utf8)) ?? ""
            #expect(log.contains(String(relay.peer.port)), "the log does not name the database address")
        }
    }
}

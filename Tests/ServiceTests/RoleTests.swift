import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing

@Suite struct RoleTests {
    /// Viewer < editor < executor < admin; `runner` (run-scoped tokens) neither above nor below them.
    @Test func rolesSatisfyTheirOwnAndLesserRoles() {
        let ordered: [Role] = [.viewer, .editor, .executor, .admin]
        for (i, held) in ordered.enumerated() {
            for (j, required) in ordered.enumerated() {
                #expect(held.satisfies(required) == (i >= j), "\(held) for \(required)")
            }
            #expect(!held.satisfies(.runner) && !Role.runner.satisfies(held), "\(held) and runner")
        }
        #expect(Role.runner.satisfies(.runner))
    }

    @Test func requireAnswers401WithoutAndA403BelowTheRole() async throws {
        let role = HTTPField.Name("X-Test-Role")!
        try await withTestApp { client in
            let anonymous = try await client.execute(uri: "/editor", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == "Bearer realm=\"datapilot\"")
            #expect(anonymous.json["title"]?.stringValue == "Authentication required")

            let viewer = try await client.execute(uri: "/editor", method: .get, headers: [role: "viewer"])
            #expect(viewer.status == .forbidden)
            #expect(viewer.json["detail"]?.stringValue == "tester has role viewer; this needs editor")
            #expect(viewer.headers[.wwwAuthenticate] == nil)
            #expect(try await client.execute(uri: "/editor", method: .get, headers: [role: "runner"]).status == .forbidden)

            for allowed in ["editor", "executor", "admin"] {
                let answer = try await client.execute(uri: "/editor", method: .get, headers: [role: allowed])
                #expect(answer.status == .ok, "\(allowed)")
                #expect(answer.json["subject"]?.stringValue == "tester")
            }
        }
    }
}

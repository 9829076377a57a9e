import APIClient
import Hummingbird
import Manifests
import ServiceKit

/// Who asks for a control on the reconciler's port: the caller's bearer token checked with the
/// control plane (`GET /auth/whoami`, which knows keys, tokens and roles), then its role. The
/// reconciler keeps no credentials of its own for operators.
struct OperatorCheck: Sendable {
    /// The DataPilot server (the gateway) that issued the token.
    let server: String

    /// An operator the server vouched for.
    struct Operator: Sendable {
        var subject: String
        var role: Role
    }

    /// The caller, who must hold `required`: 401 without a token or with one the server does not
    /// accept, 403 with too small a role, 503 when the server cannot be asked.
    func require(_ required: Role, _ request: Request, for action: String) async throws -> Operator {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            case let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces), !token.isEmpty
        else {
            throw Problem(
                .unauthorized, title: "Authentication required",
                detail: "\(action) needs a DataPilot token with the \(required.rawValue) role: send Authorization: Bearer TOKEN "
                    + "(dpctl sends its context's token)")
        }
        let answer: JSONValue
        do {
            answer = try await APIClient(server: server, token: token, maxAttempts: 2, timeoutSeconds: 10).send("GET", "/auth/whoami").json
        } catch let error as APIError where error.status == 401 || error.status == 403 {
            throw Problem(
                .unauthorized, title: "Authentication required",
                detail: "the DataPilot server at \(server) does not accept this token (\(error.problem?.detail ?? error.message))")
        } catch {
            throw Problem(
                .serviceUnavailable, title: "Cannot check the token",
                detail: "cannot ask the DataPilot server at \(server) who this token belongs to (\(error)); nothing was changed",
                headers: [.retryAfter: "5"])
        }
        guard let subject = answer["subject"]?.stringValue, let role = answer["role"]?.stringValue.flatMap(Role.init(rawValue:)) else {
            throw Problem(
                .serviceUnavailable, title: "Cannot check the token",
                detail: "the DataPilot server at \(server) answered /auth/whoami without a subject and role")
        }
        guard role.satisfies(required) else {
            throw Problem(
                .forbidden, title: "Forbidden",
                detail: "\(action) needs the \(required.rawValue) role; \(subject) has the \(role.rawValue) role")
        }
        return Operator(subject: subject, role: role)
    }
}

import Curl
import Manifests

/// A failure talking to the Kubernetes API: a Status the API answered (its HTTP code and
/// reason), no answer at all, or credentials that cannot be read. The description says which
/// request failed and what to check.
public struct KubernetesError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status the API answered (nil when it was not reached).
    public var status: Int?
    /// The Status object's reason: `NotFound`, `AlreadyExists`, `Expired`, `Gone`, `Unauthorized`, ...
    public var reason: String
    public var description: String

    public init(status: Int?, reason: String, description: String) {
        self.status = status
        self.reason = reason
        self.description = description
    }

    public var isNotFound: Bool { status == 404 }
    public var isAlreadyExists: Bool { status == 409 && reason == "AlreadyExists" }
    /// The resourceVersion asked for is older than the API keeps: list again.
    public var isGone: Bool { status == 410 }
    /// Trying again with the same credentials cannot help.
    public var isPermanent: Bool { [400, 401, 403, 404, 422].contains(status ?? 0) }

    static func configuration(_ description: String) -> KubernetesError {
        KubernetesError(status: nil, reason: "Configuration", description: description)
    }

    /// An answer other than 2xx, read from its Status body (or its text when it has none).
    static func answer(_ response: HTTPResponse, method: String, path: String, credentials: KubernetesCredentials) -> KubernetesError {
        let status = response.status
        let parsed = (try? JSONText.parse(response.body).get()) ?? .null
        let reason = parsed["reason"]?.stringValue ?? "HTTP\(status)"
        let message = parsed["message"]?.stringValue ?? String(response.text.prefix(300))
        let request = "\(method) \(path) on the Kubernetes API \(credentials.server)"
        switch status {
        case 401:
            return KubernetesError(
                status: status, reason: reason,
                description:
                    "\(request) answered 401 Unauthorized: the API did not accept the credentials of \(credentials.origin); "
                    + "check that the token (or client certificate) is current and belongs to this cluster: \(message)")
        case 403:
            return KubernetesError(
                status: status, reason: reason,
                description:
                    "\(request) answered 403 Forbidden: \(message); the executor's service account needs the Role and RoleBinding "
                    + "of deploy/base/run-executor-rbac.yaml in its namespace (credentials: \(credentials.origin))")
        default:
            return KubernetesError(status: status, reason: reason, description: "\(request) answered \(status) \(reason): \(message)")
        }
    }

    static func transport(_ error: CurlError, method: String, path: String, credentials: KubernetesCredentials) -> KubernetesError {
        KubernetesError(
            status: nil, reason: "Unreachable",
            description:
                "cannot \(method) \(path) on the Kubernetes API \(credentials.server): \(error.message); check the server address "
                + "and CA of \(credentials.origin)")
    }
}

import APIClient
import APIModel
import CLIKit
import Manifests

extension ReconcilerStatus {
    /// Reads `GET /status` from the reconciler at `address`, for `dpctl status` and
    /// `dpctl drift --source`. Errors say what to check: the address, or a reconciler that
    /// answers something this dpctl does not understand (a different release).
    static func fetch(from address: String, exitCode: Int32 = 1) async throws -> ReconcilerStatus {
        let body: JSONValue
        do {
            body = try await APIClient(server: address, token: nil).send("GET", ReconcilerStatus.route).json
        } catch let error as APIError {
            throw CLIError(
                error.code == .unreachable
                    ? "cannot reach the reconciler at \(address); is `dpctl reconcile` running? (--reconciler or DATAPILOT_RECONCILER)"
                    : "the reconciler at \(address): \(error.message)", exitCode: exitCode)
        }
        do {
            return try ReconcilerStatus.decode(body)
        } catch {
            throw CLIError(
                "the reconciler at \(address) answered a status this dpctl does not understand (\(error)); are both the same release?",
                exitCode: exitCode)
        }
    }
}

import APIModel
import Manifests
import Redaction
import ServiceKit
import URLPolicy

/// The problems of an external version's URL the `ExternalURLPolicy` refuses: at registration
/// (422, naming `spec.source.url`) and at download, instead of the 307 (403).
enum ExternalVersionURL {
    static func checkRegistration(_ url: String, policy: ExternalURLPolicy) throws {
        guard let reason = policy.refusal(url) else { return }
        let message = "spec.source.url \"\(Redact.credentials(url))\" is not allowed: \(reason)"
        throw Problem(
            .unprocessableContent, title: "External URL not allowed", detail: message,
            errors: [ProblemDetails.ValidationError(path: "spec.source.url", code: "external-url-not-allowed", message: message)])
    }

    static func checkDownload(_ url: String, version: String, policy: ExternalURLPolicy) throws {
        guard let reason = policy.refusal(url) else { return }
        throw Problem(
            .forbidden, title: "External URL not allowed",
            detail:
                "DatasetVersion \"\(version)\" is external and its spec.source.url \"\(Redact.credentials(url))\" is not allowed now: \(reason); "
                + "no redirect is given. Register a new version with an allowed URL")
    }
}

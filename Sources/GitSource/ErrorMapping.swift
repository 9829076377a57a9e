import Git

extension GitSourceError {
    /// The error for a failed network operation: DataPilot's own abort reason when a callback or
    /// the watchdog stopped it, else libgit2's code and message.
    static func remote(_ error: GitError, session: RemoteSession, doing operation: String, timeout: Int) -> GitSourceError {
        switch session.abortReason {
        case .timedOut:
            return .timedOut(operation, timeout)
        case .credentialRejected(let message):
            return GitSourceError(.authentication, "\(operation): authentication failed: \(message)")
        case .hostKeyRejected(let message):
            return GitSourceError(.hostKey, "\(operation): \(message)")
        case nil:
            break
        }
        let text = "\(operation): \(error.message)"
        let lower = error.message.lowercased()
        switch error.code {
        case .authentication:
            return GitSourceError(.authentication, text + "; check the credentials")
        case .certificate:
            return GitSourceError(.hostKey, text + "; check the server's certificate or host key")
        case .notFound:
            return GitSourceError(.notFound, text + "; check the URL")
        default:
            if lower.contains("404") || lower.contains("not found") || lower.contains("not exported")
                || lower.contains("does not appear to be a git repository") || lower.contains("could not find repository")
            {
                return GitSourceError(.notFound, text + "; check the URL names an existing repository")
            }
            if lower.contains("401") || lower.contains("authentication") {
                return GitSourceError(.authentication, text + "; check the credentials")
            }
            return GitSourceError(.network, text + "; check the URL and that the server is reachable")
        }
    }

    static func timedOut(_ operation: String, _ seconds: Int) -> GitSourceError {
        GitSourceError(.timeout, "\(operation) timed out after \(seconds)s; check that the server answers, or raise timeoutSeconds")
    }

    /// An error reading the local cache repository.
    static func cache(_ error: GitError, doing operation: String) -> GitSourceError {
        if error.code == .notFound { return GitSourceError(.notFound, "\(operation): \(error.message)") }
        return GitSourceError(.corrupt, "\(operation): \(error.message); delete the cache repository to rebuild it")
    }
}

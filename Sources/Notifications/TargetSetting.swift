/// One entry of a source's `notify:` list, as a value (a source's configuration is Hashable).
public enum TargetSetting: Sendable, Hashable {
    case github(GitHubStatuses)
    case gitlab(GitLabStatuses)
    case webhook(SignedWebhook)
    case slack(SlackWebhook)

    public var target: any NotificationTarget {
        switch self {
        case .github(let target): return target
        case .gitlab(let target): return target
        case .webhook(let target): return target
        case .slack(let target): return target
        }
    }

    /// The type's word in the sources file.
    public static let types = ["github", "gitlab", "webhook", "slack"]

    /// What a type is told by default: commit statuses follow syncs and the health of what
    /// they applied (one status per commit); messages follow everything.
    public static func defaultEvents(_ type: String) -> Set<NotificationEvent.Kind> {
        type == "github" || type == "gitlab"
            ? [.syncStarted, .syncSucceeded, .syncFailed, .syncProgressing, .syncDegraded] : Set(NotificationEvent.Kind.allCases)
    }
}

import Manifests

/// Where a Job stands, read from its status conditions: `Complete` or `Failed` (with its
/// reason, such as `BackoffLimitExceeded` or `DeadlineExceeded`) with status `True` end it.
enum KubernetesJobStatus: Equatable {
    case active
    case complete
    case failed(reason: String, message: String)
    /// The Job no longer exists.
    case gone

    init(_ job: JSONValue?) {
        guard let job else {
            self = .gone
            return
        }
        let conditions = job["status"]?["conditions"]?.arrayValue ?? []
        func holds(_ type: String) -> JSONValue? {
            conditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
        }
        if holds("Complete") != nil {
            self = .complete
        } else if let failed = holds("Failed") {
            self = .failed(reason: failed["reason"]?.stringValue ?? "Failed", message: failed["message"]?.stringValue ?? "")
        } else {
            self = .active
        }
    }

    var isFinal: Bool { self != .active }

    /// When a finished Job finished: its completion time, else its terminal condition's.
    static func finishedAt(_ job: JSONValue) -> String? {
        if let completed = job["status"]?["completionTime"]?.stringValue { return completed }
        return (job["status"]?["conditions"]?.arrayValue ?? []).first {
            ["Complete", "Failed"].contains($0["type"]?.stringValue ?? "") && $0["status"]?.stringValue == "True"
        }?["lastTransitionTime"]?.stringValue
    }
}

import APIModel
import Manifests
import SyncEngine

/// What a merge changes about the code runs execute: a Run whose `execute`, `command`, `image`
/// or `code` is new or different starts (or would start) code, so a reviewer sees it first.
enum ExecutionReview {
    static func findings(base: Manifest?, head: Manifest) -> [ReviewFinding] {
        guard head.kind == .run else { return [] }
        let changed = RunExecution.fields.filter { field in
            let before = base?.spec[field] ?? .null, after = head.spec[field] ?? .null
            return before.canonicalJSON != after.canonicalJSON && !(base == nil && after == .null)
        }
        guard !changed.isEmpty else { return [] }
        let executes = RunExecution.executesOnCreate(head.spec)
        let what = changed.map { "spec.\($0)" }.joined(separator: ", ")
        return [
            ReviewFinding(
                .privileged,
                "\(ObjectRef(.run, head.name)) (\(head.origin.location)): \(what) \(base == nil ? "set" : "changed")"
                    + (executes
                        ? "; it executes when applied: review the command, image and code as code that will run"
                        : "; an executor who starts it runs this code"),
                blocking: false)
        ]
    }
}

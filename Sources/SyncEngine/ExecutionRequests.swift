import Manifests

/// Runs that ask to be executed when they are applied (`spec.execute: true`). A git source that
/// applies one lets anyone who can push to its branch run code, so the reconciler applies them
/// only from sources whose configuration says `execute: allowed`.
public enum ExecutionRequests {
    public static func runs(in manifests: [Manifest]) -> [Manifest] {
        manifests.filter { $0.kind == .run && RunExecution.executesOnCreate($0.spec) }
    }

    /// One line per run, `file:line:column: ...`, saying why nothing was applied and what to change.
    public static func refusals(_ runs: [Manifest], source: String) -> [String] {
        runs.map {
            "\($0.origin.location): spec.execute: run/\($0.name) asks to be executed, and source \"\(source)\" may not execute runs "
                + "(anyone who can push to it would run code); set execute: false and let an executor start it, "
                + "or an operator sets `execute: allowed` on the source and gives the reconciler an executor key"
        }
    }
}

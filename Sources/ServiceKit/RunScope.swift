import Postgres

/// What a run-scoped token may touch: its own run (by uid, not only by name), while that run is
/// live, and the dataset versions the run declares as inputs. Shared by the Experiments service
/// (telemetry) and the Dataset Registry (input downloads), which read the same `runs` table.
public enum RunScope {
    /// Refuses a runner token for any run but its own, for a later run that took its run's name,
    /// and once its run has finished.
    public static func check(_ principal: Principal, run: String, on connection: Connection) throws {
        guard principal.role == .runner else { return }
        guard principal.runID == run else {
            throw Problem(
                .forbidden, title: "Forbidden", detail: "this run-scoped token belongs to run \"\(principal.runID ?? "?")\", not \"\(run)\""
            )
        }
        guard let row = try connection.query("select state, uid::text as uid from runs where name = $1", [run]).first else {
            throw Problem.notFound("Run \"\(run)\"")
        }
        guard let uid = principal.runUID else {
            throw invalid(
                "this run-scoped token of run \"\(run)\" was issued before tokens were bound to their run's uid; start the run again for a new token"
            )
        }
        guard row["uid"] == uid else {
            throw invalid(
                "this run-scoped token was issued for an earlier run named \"\(run)\" that was deleted; the run now under that name does not accept it"
            )
        }
        guard let state = row["state"], ["QUEUED", "RUNNING"].contains(state) else {
            throw Problem(
                .unauthorized, title: "Token expired",
                detail: "the run-scoped token of run \"\(run)\" expired when the run ended (\(row["state"] ?? "?"))",
                headers: [.wwwAuthenticate: "Bearer realm=\"datapilot\", error=\"invalid_token\""])
        }
    }

    static func invalid(_ detail: String) -> Problem {
        Problem(
            .unauthorized, title: "Token refused", detail: detail,
            headers: [.wwwAuthenticate: "Bearer realm=\"datapilot\", error=\"invalid_token\""])
    }

    /// Whether a runner token may read `version`: its run is live and lists it as an input.
    public static func mayRead(_ principal: Principal, version: String, on connection: Connection) throws -> Bool {
        guard principal.role == .runner, let run = principal.runID else { return false }
        try check(principal, run: run, on: connection)
        return try !connection.query(
            """
            select 1 from runs where name = $1 and uid::text = $2 and inputs @> jsonb_build_array(jsonb_build_object('datasetVersion', $3::text))
            """, [run, principal.runUID ?? "", version]
        ).isEmpty
    }
}

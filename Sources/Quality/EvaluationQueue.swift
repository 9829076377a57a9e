import Foundation
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

/// Evaluations are queued work: a row in `evaluations` is QUEUED (asked for through the API),
/// RUNNING (a worker on some replica claimed it) and then DONE or ERROR. A Pending version with
/// no queued evaluation gets one when a worker claims it. Claims use `skip locked`, so workers
/// on every replica share the queue without evaluating anything twice; a claim whose worker
/// died is queued again after `staleAfter`, at most `maxAttempts` times.
struct EvaluationQueue: Sendable {
    let pool: ConnectionPool
    var staleAfter: Duration = .seconds(900)
    static let maxAttempts = 3

    /// What a worker claimed: the evaluation, its version, and the rules and checks asked for
    /// (nil: all of them, and the evaluation decides the version's admission).
    struct Claim: Sendable {
        var id: String
        var version: String
        var rules: [String]?
        var checks: [String]?
        var trigger: String
        var actor: String
        var decidesAdmission: Bool
    }

    /// Queues an evaluation asked for by `actor`; all rules and checks also decide admission.
    func enqueue(
        version: String, dataset: String, sha256: String, rules: [String]?, checks: [String]?, trigger: String, actor: String,
        on connection: Connection
    ) throws -> String {
        let id = Evaluations.newID(for: version)
        var requested: [JSONMember] = []
        if let rules { requested.append(JSONMember("rules", .array(rules.map { .string($0) }))) }
        if let checks { requested.append(JSONMember("checks", .array(checks.map { .string($0) }))) }
        try connection.query(
            """
            insert into evaluations (id, dataset, dataset_version, version_sha256, rules, trigger, state, created_by, requested)
            values ($1, $2, $3, $4, '[]', $5, 'QUEUED', $6, $7::jsonb)
            """, [id, dataset, version, sha256, trigger, actor, JSONValue.object(requested).jsonString()])
        if rules == nil && checks == nil {
            try connection.query(
                """
                update dataset_versions set admission = 'Pending', admission_evaluation = $2, admission_reason = $3,
                    admission_failures = '[]', admission_changed_at = now(), admission_changed_by = $4
                where name = $1 and object_key is not null
                """, [version, id, "evaluation \(id) queued by \(actor)", actor])
        }
        return id
    }

    /// The next piece of work, claimed for `worker`: a queued evaluation first, else a Pending
    /// version (an evaluation row is made for it). Nil when there is none.
    func claim(worker: String) async throws -> Claim? {
        // Idle, this is the one query a worker makes per pass (both from partial indexes).
        let waiting = try await pool.withConnection { connection in
            try connection.query(
                """
                select (exists (select 1 from evaluations where state = 'QUEUED')
                     or exists (select 1 from dataset_versions where admission = 'Pending'))::text as waiting
                """
            ).first?["waiting"] == "true"
        }
        guard waiting else { return nil }
        return try await pool.withTransaction { connection in
            if let row = try connection.query(
                """
                select id, dataset_version, requested::text as requested, trigger, created_by from evaluations
                where state = 'QUEUED' order by created_at limit 1 for update skip locked
                """
            ).first {
                let id = row["id"]!
                let version = row["dataset_version"]!
                let requested = ObjectJSON.parse(row["requested"])
                let rules = requested["rules"]?.arrayValue?.compactMap(\.stringValue)
                let checks = requested["checks"]?.arrayValue?.compactMap(\.stringValue)
                try connection.query(
                    "update evaluations set state = 'RUNNING', claimed_by = $2, claimed_at = now(), attempts = attempts + 1 where id = $1",
                    [id, worker])
                // Only the evaluation the version waits for moves it; an ad-hoc subset never does.
                let waitedFor = try !connection.query(
                    "select 1 from dataset_versions where name = $1 and admission_evaluation = $2 and admission in ('Pending', 'Evaluating')",
                    [version, id]
                ).isEmpty
                let decides = rules == nil && checks == nil && waitedFor
                if decides { try Admission.evaluating(version, evaluation: id, on: connection) }
                return Claim(
                    id: id, version: version, rules: rules, checks: checks, trigger: row["trigger"]!, actor: row["created_by"]!,
                    decidesAdmission: decides)
            }
            // Versions whose rules went away while they waited: nothing to check.
            try connection.query(
                """
                update dataset_versions v set admission = 'Unchecked', admission_evaluation = null,
                    admission_reason = 'Dataset "' || v.dataset || '" has no quality rules',
                    admission_changed_at = now(), admission_changed_by = 'system:quality'
                where v.admission = 'Pending' and not exists (select 1 from quality_rules q where q.spec->>'dataset' = v.dataset)
                """)
            guard
                let row = try connection.query(
                    """
                    select name, dataset, sha256 from dataset_versions where admission = 'Pending' and admission_evaluation is null
                    order by admission_changed_at, name limit 1 for update skip locked
                    """
                ).first
            else { return nil }
            let version = row["name"]!
            let id = Evaluations.newID(for: version)
            try connection.query(
                """
                insert into evaluations (id, dataset, dataset_version, version_sha256, rules, trigger, state, created_by,
                    claimed_by, claimed_at, attempts)
                values ($1, $2, $3, $4, '[]', 'admission', 'RUNNING', 'system:quality', $5, now(), 1)
                """, [id, row["dataset"]!, version, row["sha256"]!, worker])
            try Admission.evaluating(version, evaluation: id, on: connection)
            return Claim(
                id: id, version: version, rules: nil, checks: nil, trigger: "admission", actor: "system:quality", decidesAdmission: true)
        }
    }

    /// Claims older than `staleAfter` whose worker died: queued again, or ERROR after
    /// `maxAttempts` (and their version Quarantined, failing closed). Answers how many moved.
    func reclaimStale(requestID: String) async throws -> Int {
        let seconds = Int(staleAfter.components.seconds)
        return try await pool.withTransaction { connection in
            let stale = try connection.query(
                """
                select id, dataset_version, attempts from evaluations
                where state = 'RUNNING' and claimed_at < now() - make_interval(secs => $1) for update skip locked
                """, [String(seconds)])
            for row in stale {
                let id = row["id"]!
                if (row.int("attempts") ?? 0) < Self.maxAttempts {
                    try connection.query(
                        "update evaluations set state = 'QUEUED', claimed_by = null, claimed_at = null where id = $1", [id])
                } else {
                    let error = "no worker finished it in \(Self.maxAttempts) attempts of \(seconds) s each"
                    try connection.query(
                        "update evaluations set state = 'ERROR', outcome = 'ERROR', error = $2, finished_at = now() where id = $1",
                        [id, error])
                    try Admission.decide(
                        row["dataset_version"]!, evaluation: id, outcome: "ERROR", failures: [], error: error, requestID: requestID,
                        on: connection)
                }
            }
            return stale.count
        }
    }
}

import APIModel
import Manifests
import Postgres

/// The health of managed objects, as Argo CD judges a sync: a DatasetVersion is Progressing
/// while its admission is Pending or Evaluating and Degraded when Quarantined; a Run is Degraded
/// when it FAILED or was LOST, and one that executes on creation is Progressing while QUEUED or
/// RUNNING; everything else that exists is Healthy, and a member that does not exist is Degraded.
/// One query over the members, answering only the objects that are not Healthy.
enum HealthAssessment {
    /// The members of apply set `name`; nil when there is no such apply set.
    static func applySet(_ name: String, on connection: Connection) throws -> HealthReport? {
        guard
            let total = try connection.query(
                "select jsonb_array_length(members)::text as n from applysets where name = $1", [name]
            ).first?.int("n")
        else { return nil }
        let members = "select x as ref from applysets a, jsonb_array_elements_text(a.members) x where a.name = $1"
        return try assess(members: members, parameters: [name], total: Int(total), on: connection)
    }

    /// The objects named (`kind/name`, already checked).
    static func objects(_ refs: [String], on connection: Connection) throws -> HealthReport {
        let unique = Array(Set(refs)).sorted()
        let array = "{" + unique.map { "\"\($0)\"" }.joined(separator: ",") + "}"
        return try assess(members: "select unnest($1::text[]) as ref", parameters: [array], total: unique.count, on: connection)
    }

    static func assess(members: String, parameters: [String?], total: Int, on connection: Connection) throws -> HealthReport {
        let rows = try connection.query(
            """
            with m as (select split_part(ref, '/', 1) as kind, substr(ref, strpos(ref, '/') + 1) as name from (\(members)) s)
            select 'datasetversion/' || v.name as object,
                   case when v.admission = 'Quarantined' then 'Degraded' else 'Progressing' end as health,
                   'is ' || v.admission || coalesce(': ' || v.admission_reason, '') as reason
              from m join dataset_versions v on m.kind = 'datasetversion' and v.name = m.name
             where v.admission in ('Pending', 'Evaluating', 'Quarantined')
            union all
            select 'run/' || r.name,
                   case when r.state in ('FAILED', 'LOST') then 'Degraded' else 'Progressing' end,
                   'is ' || r.state || coalesce(': ' || r.state_message, '')
              from m join runs r on m.kind = 'run' and r.name = m.name
             where r.state in ('FAILED', 'LOST') or (r.state in ('QUEUED', 'RUNNING') and r.spec->>'execute' = 'true')
            union all
            select m.kind || '/' || m.name, 'Degraded', 'does not exist on the server'
              from m
             where not exists (select 1 from datasets o where m.kind = 'dataset' and o.name = m.name)
               and not exists (select 1 from dataset_versions o where m.kind = 'datasetversion' and o.name = m.name)
               and not exists (select 1 from quality_rules o where m.kind = 'qualityrule' and o.name = m.name)
               and not exists (select 1 from experiments o where m.kind = 'experiment' and o.name = m.name)
               and not exists (select 1 from runs o where m.kind = 'run' and o.name = m.name)
            """, parameters)
        var objects = rows.compactMap { row -> ObjectHealth? in
            guard let health = HealthState(rawValue: row["health"] ?? "") else { return nil }
            return ObjectHealth(object: row["object"]!, health: health, reason: String((row["reason"] ?? "").prefix(500)))
        }
        objects.sort { ($0.health, $1.object) > ($1.health, $0.object) }
        var counts = [HealthState.healthy.rawValue: total - objects.count]
        for object in objects { counts[object.health.rawValue, default: 0] += 1 }
        return HealthReport(
            health: HealthState.overall(objects.map(\.health)), counts: counts, objects: Array(objects.prefix(HealthReport.maxListed)))
    }
}

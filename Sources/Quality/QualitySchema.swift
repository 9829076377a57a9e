import ObjectAPI
import Postgres

public enum QualitySchema {
    public static let migrations = [
        Migration(500, "quality rules", ObjectJSON.createSQL(table: "quality_rules")),
        Migration(
            501, "evaluations",
            """
            create table evaluations (
                id text primary key,
                dataset text not null,
                dataset_version text not null references dataset_versions (name) on delete cascade,
                version_sha256 text not null,
                rules jsonb not null,
                trigger text not null,
                state text not null,
                outcome text,
                summary jsonb not null default '{}',
                report_key text,
                report_sha256 text,
                error text,
                created_at timestamptz not null default now(),
                created_by text not null,
                finished_at timestamptz);
            create index evaluations_version on evaluations (dataset_version, created_at);
            create index evaluations_pending on evaluations (created_at) where state = 'QUEUED';
            """),
        // Admission lives on the version's row (the registry renders it and runs read it); the
        // Quality service moves it. Evaluations become a queue: claimed by a worker, retried.
        Migration(
            502, "version admission and the evaluation queue",
            """
            alter table dataset_versions
                add column admission text not null default 'Unchecked',
                add column admission_evaluation text,
                add column admission_reason text,
                add column admission_failures jsonb not null default '[]',
                add column admission_changed_at timestamptz not null default now(),
                add column admission_changed_by text not null default 'system:migration';
            create index dataset_versions_admission on dataset_versions (admission) where admission in ('Pending', 'Evaluating');
            -- Versions stored before admission existed: their latest evaluation decides, if any.
            update dataset_versions v set
                admission = case when e.outcome in ('PASSED', 'WARNED') then 'Admitted' else 'Quarantined' end,
                admission_evaluation = e.id,
                admission_reason = 'decided by the evaluation made before admission existed'
            from (select distinct on (dataset_version) id, dataset_version, outcome from evaluations
                  where state = 'DONE' order by dataset_version, created_at desc) e
            where e.dataset_version = v.name;
            alter table evaluations
                add column requested jsonb not null default '{}',
                add column claimed_by text,
                add column claimed_at timestamptz,
                add column attempts integer not null default 0;
            """),
        // `GET /api/datasetversions?admission=Quarantined` (the UI's overview) by index, in name order.
        Migration(503, "versions by admission", "create index dataset_versions_by_admission on dataset_versions (admission, name);"),
    ]
}

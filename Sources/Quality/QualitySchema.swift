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
    ]
}

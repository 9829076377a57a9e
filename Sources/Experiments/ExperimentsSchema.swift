import ObjectAPI
import Postgres

public enum ExperimentsSchema {
    public static let migrations = [
        Migration(600, "experiments", ObjectJSON.createSQL(table: "experiments")),
        Migration(601, "runs", ObjectJSON.createSQL(table: "runs")),
        Migration(
            602, "run state, telemetry, artifacts and evidence",
            """
            alter table runs
                add column state text not null default 'QUEUED',
                add column state_message text,
                add column tags jsonb not null default '{}',
                add column inputs jsonb not null default '[]',
                add column executor text,
                add column exit_code integer,
                add column started_at timestamptz,
                add column finished_at timestamptz,
                add column heartbeat_at timestamptz,
                add column cancel_requested boolean not null default false;
            create index runs_live on runs (state, heartbeat_at) where state in ('QUEUED', 'RUNNING');
            create index runs_experiment on runs ((spec->>'experiment'), created_at);
            create table run_metrics (
                run text not null references runs (name) on delete cascade,
                key text not null,
                value double precision not null,
                step bigint not null,
                at timestamptz not null,
                primary key (run, key, step, at));
            create table run_events (
                run text not null references runs (name) on delete cascade,
                seq bigserial primary key,
                level text not null,
                message text not null,
                at timestamptz not null);
            create index run_events_run on run_events (run, seq);
            create table run_artifacts (
                run text not null references runs (name) on delete cascade,
                name text not null,
                object_key text not null,
                sha256 text not null,
                size bigint not null,
                content_type text not null,
                created_at timestamptz not null default now(),
                created_by text not null,
                primary key (run, name));
            create table evidence_bundles (
                id text primary key,
                run text not null references runs (name) on delete cascade,
                object_key text not null,
                report_key text not null,
                sha256 text not null,
                size bigint not null,
                created_at timestamptz not null default now(),
                created_by text not null);
            create index evidence_bundles_run on evidence_bundles (run, created_at);
            """),
        // A run whose client promises no heartbeats (MLflow's) is never reaped: it ends when
        // its client ends it, as on an MLflow server.
        Migration(603, "runs without heartbeats", "alter table runs add column heartbeats boolean not null default true;"),
    ]
}

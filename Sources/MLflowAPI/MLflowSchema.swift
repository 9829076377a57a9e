import Postgres

/// What DataPilot lacks for MLflow's model, beside the experiments and runs it shares: an
/// experiment's MLflow name, lifecycle stage and tags, and the datasets a run logged as inputs.
public enum MLflowSchema {
    public static let migrations = [
        Migration(
            660, "mlflow experiments and dataset inputs",
            """
            create table mlflow_experiments (
                experiment text primary key references experiments (name) on delete cascade,
                display_name text not null unique,
                lifecycle_stage text not null default 'active',
                tags jsonb not null default '{}',
                updated_at timestamptz not null default now());
            create table mlflow_run_inputs (
                run text not null references runs (name) on delete cascade,
                name text not null,
                digest text not null,
                dataset jsonb not null,
                tags jsonb not null default '[]',
                dataset_version text,
                logged_at timestamptz not null default now(),
                primary key (run, name, digest));
            """)
    ]
}

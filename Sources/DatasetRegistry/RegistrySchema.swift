import ObjectAPI
import Postgres

public enum RegistrySchema {
    public static let migrations = [
        Migration(
            400, "datasets and versions",
            ObjectJSON.createSQL(table: "datasets") + """

                create table dataset_versions (
                    name text primary key,
                    dataset text not null references datasets (name) on delete restrict,
                    uid uuid not null unique,
                    labels jsonb not null default '{}',
                    annotations jsonb not null default '{}',
                    spec jsonb not null,
                    object_key text not null,
                    sha256 text not null,
                    size bigint not null,
                    content_type text not null,
                    created_at timestamptz not null default now(),
                    created_by text not null);
                create index dataset_versions_dataset on dataset_versions (dataset, name);
                create index dataset_versions_labels on dataset_versions using gin (labels);
                """),
        Migration(
            401, "external and editable versions",
            """
            alter table dataset_versions
                alter column object_key drop not null,
                alter column size drop not null,
                add column resource_version bigint not null default 1,
                add column updated_at timestamptz,
                add column updated_by text;
            update dataset_versions set updated_at = created_at, updated_by = created_by;
            alter table dataset_versions
                alter column updated_at set not null,
                alter column updated_at set default now(),
                alter column updated_by set not null;
            """),
    ]
}

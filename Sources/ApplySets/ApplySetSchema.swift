import Postgres

public enum ApplySetSchema {
    public static let migrations = [
        Migration(
            700, "apply sets",
            """
            create table applysets (
                name text primary key,
                members jsonb not null,
                resource_version bigint not null default 1,
                created_at timestamptz not null default now(),
                updated_at timestamptz not null default now(),
                created_by text not null,
                updated_by text not null);
            """)
    ]
}

import Postgres

/// The module's tables: the emitter's cursor over the audit chain (migration 310).
public enum OpenLineageSchema {
    public static let migrations = AuditFeed.migrations
}

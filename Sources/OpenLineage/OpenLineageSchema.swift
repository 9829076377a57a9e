import Postgres

/// The module's tables: the emitter's cursor over the audit chain (migration 310) and the events waiting per sink (311).
public enum OpenLineageSchema {
    public static let migrations = AuditFeed.migrations + Outbox.migrations
}

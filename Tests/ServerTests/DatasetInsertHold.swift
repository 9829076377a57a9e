import Postgres

/// Holds every insert into a test server's `datasets` (or `table`) once `after` rows exist (a trigger
/// asleep in pg_sleep), so that a server killed by the test dies with inserts in flight at a
/// known point, whatever the machine's load. (Polling the audit log instead lost the race on a
/// busy CI machine.)
struct DatasetInsertHold {
    let pool: ConnectionPool
    let table: String

    init(databaseURL: String, after count: Int, table: String = "datasets") async throws {
        pool = ConnectionPool(conninfo: databaseURL, maxConnections: 1)
        self.table = table
        try await pool.withConnection { connection in
            try connection.execute(
                script: """
                    create function hold_inserts() returns trigger language plpgsql as $$
                    begin
                        if (select count(*) from \(table)) >= \(count) then perform pg_sleep(600); end if;
                        return new;
                    end $$;
                    create trigger hold_inserts before insert on \(table) for each row execute function hold_inserts();
                    """)
        }
    }

    /// Whether a backend of this database is asleep in the trigger.
    func reached() async throws -> Bool {
        try await pool.withConnection {
            try $0.query(
                "select count(*)::text as n from pg_stat_activity where wait_event = 'PgSleep' and datname = current_database()"
            ).first?["n"] != "0"
        }
    }

    /// Ends the held backends (their inserts roll back) and drops the trigger. `everyBackend`
    /// ends every other backend of the database too, as a restarted Postgres would.
    func release(everyBackend: Bool = false) async throws {
        try await pool.withConnection { [table] connection in
            try connection.query(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
                    + (everyBackend ? "" : " and wait_event = 'PgSleep'"))
            try connection.execute(script: "drop trigger hold_inserts on \(table); drop function hold_inserts();")
        }
    }

    func close() { pool.close() }
}

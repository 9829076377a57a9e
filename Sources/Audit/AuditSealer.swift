import AuditChain
import Logging
import Metrics
import Postgres
import ServiceKit
import ServiceLifecycle

/// Links committed audit events into the hash chain, in batches, off the write path.
///
/// Writers insert their events with a `position` from a sequence and no chain fields. The sealer
/// (any replica: each batch is one transaction under a transaction-scoped advisory lock, so
/// exactly one sealer extends the chain at a time) reads the chain's head, takes the unsealed
/// events it can see, oldest position first, gives them the next chain sequences and links them,
/// and commits. Only committed rows are visible to it, so:
/// - a transaction that took a position and rolled back leaves a gap in positions, never in the
///   chain (the sequence is the sealer's count, 1, 2, 3, …);
/// - a transaction that commits late with a lower position is not skipped: unsealed means
///   `sequence is null`, not "after the last sealed position", so the next batch takes it;
/// - a sealer killed mid-batch rolls back its transaction: the batch stays unsealed, whole, and
///   the next sealer seals it.
/// Chain order is the order in which events became visible (Postgres shows a commit to a later
/// snapshot only after every commit before it), then position within a batch: an event whose
/// transaction started after another's commit always comes after it.
public struct AuditSealer: Service {
    public struct Settings: Sendable {
        /// Events sealed per transaction at most.
        public var batchSize: Int
        /// The pause between passes. Readers seal what they need themselves (`catchUp`), so
        /// this bounds only the lag metric and checkpoints, not what anyone sees.
        public var interval: Duration

        public init(batchSize: Int = 1000, interval: Duration = .seconds(1)) {
            self.batchSize = batchSize
            self.interval = interval
        }
    }

    /// The advisory lock one sealing transaction holds (the key appends held before sealing).
    static let lockKey = "6175646974"

    let pool: ConnectionPool
    let settings: Settings
    let logger: Logger

    public init(pool: ConnectionPool, settings: Settings = .init(), logger: Logger) {
        self.pool = pool
        self.settings = settings
        self.logger = logger
    }

    public func run() async {
        var lastProblem = ""
        repeat {
            do {
                // An idle pass is one index-only query: 1 a second on every replica, not a transaction.
                var lag = try await pool.withConnection { try Self.lag(on: $0) }
                if lag.events > 0 {
                    var sealed = 0
                    // Full batches mean more is waiting: go on without pausing.
                    while !Pause.stopping {
                        let batch = settings.batchSize
                        guard let count = try await pool.withTransaction({ try Self.sealBatch(on: $0, limit: batch, wait: false) }) else {
                            break
                        }
                        sealed += count
                        if count < batch { break }
                    }
                    if sealed > 0 { Counter(label: "datapilot_audit_sealed_events_total").increment(by: sealed) }
                    lag = try await pool.withConnection { try Self.lag(on: $0) }
                }
                // Every replica reports the lag, sealer or not: a stalled sealer shows wherever it is scraped.
                Gauge(label: "datapilot_audit_unsealed_events").record(lag.events)
                Gauge(label: "datapilot_audit_seal_lag_seconds").record(lag.seconds)
                lastProblem = ""
            } catch {
                if "\(error)" != lastProblem {
                    logger.error("audit events were not sealed", metadata: ["reason": .string("\(error)")])
                    lastProblem = "\(error)"
                }
            }
        } while await Pause.next(settings.interval)
    }

    /// Seals every event committed before the call (what a reader must see: its own writes
    /// included). Waits for the sealing lock, never for writers.
    public static func catchUp(pool: ConnectionPool, batchSize: Int = 1000) async throws {
        let newest = try await pool.withConnection {
            try $0.query("select max(position) as position from audit_events where sequence is null").first?.int("position")
        }
        guard let newest else { return }
        while try await pool.withTransaction({ try sealBatch(on: $0, limit: batchSize, upTo: newest, wait: true) }) == batchSize {}
    }

    /// One batch in the caller's transaction: the number of events sealed, or nil when another
    /// sealer holds the lock and `wait` is false. `upTo` limits it to positions up to that one.
    static func sealBatch(on connection: Connection, limit: Int, upTo: Int64? = nil, wait: Bool) throws -> Int? {
        if wait {
            try connection.query("select pg_advisory_xact_lock(x'\(lockKey)'::bigint)")
        } else {
            let locked = try connection.query("select pg_try_advisory_xact_lock(x'\(lockKey)'::bigint) as locked").first?.bool("locked")
            guard locked == true else { return nil }
        }
        // Read committed: this statement's snapshot is taken after the lock, so it sees the last batch.
        let head = try connection.query(
            "select sequence, hash from audit_events where sequence is not null order by sequence desc limit 1"
        ).first
        var parameters: [String?] = [String(limit)]
        var bound = ""
        if let upTo {
            parameters.append(String(upTo))
            bound = "and position <= $2::bigint"
        }
        let pending = try connection.query(
            "select position, \(AuditLog.columns) from audit_events where sequence is null \(bound) order by position limit $1::bigint",
            parameters)
        guard !pending.isEmpty else { return 0 }
        var sequence = head?.int("sequence") ?? 0
        var previous = head?["hash"] ?? AuditLog.genesis
        var positions: [String] = []
        var sequences: [String] = []
        var links: [String] = []
        var hashes: [String] = []
        for row in pending {
            var event = try AuditLog.event(row)
            sequence += 1
            event.sequence = sequence
            event.previousHash = previous
            event.hash = AuditLog.hash(of: event)
            positions.append(row["position"]!)
            sequences.append(String(sequence))
            links.append(previous)
            hashes.append(event.hash)
            previous = event.hash
        }
        func array(_ values: [String]) -> String { "{" + values.joined(separator: ",") + "}" }
        let updated = try connection.query(
            """
            update audit_events as e set sequence = s.sequence, previous_hash = s.previous_hash, hash = s.hash
            from unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) as s(position, sequence, previous_hash, hash)
            where e.position = s.position and e.sequence is null
            returning e.position
            """, [array(positions), array(sequences), array(links), array(hashes)])
        guard updated.count == pending.count else {
            throw AuditChainError(
                .missing, "\(pending.count - updated.count) audit events vanished while they were sealed; the batch was rolled back")
        }
        return pending.count
    }

    /// Committed events not yet in the chain, and the age of the oldest in seconds.
    static func lag(on connection: Connection) throws -> (events: Int64, seconds: Double) {
        let row = try connection.query(
            """
            select count(*) as events, coalesce(extract(epoch from clock_timestamp() - min(occurred_at)), 0)::float8 as seconds
            from audit_events where sequence is null
            """
        ).first
        return (row?.int("events") ?? 0, row?["seconds"].flatMap(Double.init) ?? 0)
    }
}

extension AuditLog {
    /// Takes the chain fields off the write path: events get a `position` from a sequence; the
    /// chain fields stay null until `AuditSealer` fills them. Existing entries keep their
    /// sequence, link and hash (their position is their sequence), so old chains still verify.
    static let sealingMigrations = [
        Migration(
            220, "audit events sealed after commit",
            """
            create sequence audit_events_position;
            alter table audit_events add column position bigint;
            update audit_events set position = sequence;
            select setval('audit_events_position', coalesce((select max(sequence) from audit_events), 0) + 1, false);
            alter table audit_events
                alter column position set default nextval('audit_events_position'),
                alter column position set not null,
                drop constraint audit_events_pkey,
                add primary key (position),
                alter column sequence drop not null,
                alter column previous_hash drop not null,
                alter column hash drop not null,
                add constraint audit_events_sealed_whole
                    check ((sequence is null) = (hash is null) and (hash is null) = (previous_hash is null));
            alter sequence audit_events_position owned by audit_events.position;
            create unique index audit_events_sequence on audit_events (sequence);
            create index audit_events_unsealed on audit_events (position) where sequence is null;
            """)
    ]
}

import AuditChain
import Evidence
import Logging
import Postgres
import ServiceKit
import ServiceLifecycle

/// Signs the chain's head with the evidence signing key every `everyEvents` entries or every
/// `everySeconds` seconds (whichever comes first, and only when the head moved), after checking
/// that the entries since the last checkpoint still link to it: a chain cut short or rewritten
/// behind the server's back is never signed, and the failure is logged instead.
public struct AuditCheckpointer: Service {
    public struct Settings: Sendable {
        public var everyEvents: Int
        public var everySeconds: Int

        public init(everyEvents: Int = 1000, everySeconds: Int = 60) {
            self.everyEvents = everyEvents
            self.everySeconds = everySeconds
        }
    }

    /// What one pass did.
    public enum Outcome: Sendable {
        /// A new checkpoint of the head.
        case signed(SignedAuditCheckpoint)
        /// The head is the last checkpoint's entry (or the chain is empty).
        case current(SignedAuditCheckpoint?)
    }

    let pool: ConnectionPool
    let checkpoints: AuditCheckpoints
    let keys: EvidenceKeyring
    let settings: Settings
    let logger: Logger

    public init(pool: ConnectionPool, checkpoints: AuditCheckpoints, keys: EvidenceKeyring, settings: Settings, logger: Logger) {
        self.pool = pool
        self.checkpoints = checkpoints
        self.keys = keys
        self.settings = settings
        self.logger = logger
    }

    public func run() async {
        let tick = Duration.milliseconds(max(100, min(1000, settings.everySeconds * 1000)))
        var lastSigned: ContinuousClock.Instant?
        // The entry of the last checkpoint this loop knows of: a tick only reads the head (one
        // indexed query) until enough entries came after it.
        var known: Int64?
        var lastProblem = ""
        repeat {
            do {
                let due = lastSigned.map { ContinuousClock.now - $0 >= .seconds(settings.everySeconds) } ?? true
                let needed = due ? 1 : settings.everyEvents
                // Signs sealed heads only; what was committed before the tick is sealed first.
                try await AuditSealer.catchUp(pool: pool)
                let head = try await pool.withConnection { try AuditLog.headSequence(on: $0) }
                if known.map({ head - $0 >= Int64(needed) }) ?? true {
                    switch try await pass(minimumEvents: needed) {
                    case .signed(let signed):
                        known = signed.checkpoint.sequence
                        lastSigned = .now
                        logger.debug("signed an audit checkpoint", metadata: ["sequence": .stringConvertible(signed.checkpoint.sequence)])
                    case .current(let latest):
                        known = latest?.checkpoint.sequence ?? 0
                    }
                }
                lastProblem = ""
            } catch {
                // Said once per distinct problem, not every tick.
                if "\(error)" != lastProblem {
                    logger.error("the audit checkpoint was not signed", metadata: ["reason": .string("\(error)")])
                    lastProblem = "\(error)"
                }
            }
        } while await Pause.next(tick)
    }

    /// The newest checkpoint, Postgres's or the object store's. Each must hold with this
    /// server's own keys: one that does not (a row or an object written by someone else, with a
    /// made-up sequence) is an error, never "no checkpoint" — that would let a rewritten chain be
    /// walked from its first entry and signed anew. Fail closed: nothing is signed and
    /// `/api/audit/verify` says the chain is not valid until an operator looks.
    public func trustedLatest() async throws -> SignedAuditCheckpoint? {
        let candidates = try await checkpoints.candidates()
        guard !candidates.isEmpty else { return nil }
        let publicKeys = try EvidenceKey.publicKeys(from: keys.publicJSON)
        for candidate in candidates {
            do {
                _ = try candidate.verified(keys: publicKeys)
            } catch {
                throw AuditChainError(
                    error.code,
                    "the newest audit checkpoint does not verify with this server's keys: \(error.message); "
                        + "someone wrote it behind the server's back, so no checkpoint is signed until an operator looks "
                        + "(docs/operations.md, Verifying the audit chain)",
                    sequence: error.sequence)
            }
        }
        return candidates.max { $0.checkpoint.sequence < $1.checkpoint.sequence }
    }

    /// Signs the head now if it is at least `minimumEvents` entries past the last checkpoint.
    @discardableResult
    public func pass(minimumEvents: Int = 1) async throws -> Outcome {
        let last = try await trustedLatest()
        let lastCheckpoint = last?.checkpoint
        let (walk, time) = try await pool.withConnection { connection in
            try (AuditLog.walk(after: lastCheckpoint, on: connection), AuditLog.now(on: connection))
        }
        guard walk.head > (lastCheckpoint?.sequence ?? 0), walk.head - (lastCheckpoint?.sequence ?? 0) >= Int64(minimumEvents) else {
            return .current(last)
        }
        let signer = keys.members.first { $0.signs }!
        let signed = try AuditCheckpoint(sequence: walk.head, hash: walk.headHash, time: time, keyID: signer.id).signed(with: signer.key)
        try await checkpoints.save(signed)
        return .signed(signed)
    }
}

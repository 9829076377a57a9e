/// Walks the chain entry by entry, in the order served, holding only the last hash: every entry
/// must link to the one before, hash to its content, keep `occurred_at` at its hashed time, and
/// reach and match every checkpoint given. The first problem is thrown and names its entry.
public struct ChainWalk: Sendable {
    /// Verified checkpoints by the entry they sign.
    let checkpoints: [Int64: AuditCheckpoint]
    var expected: Int64 = 1
    var previousHash = AuditEntry.genesis
    public private(set) var checked: Int64 = 0

    public init(checkpoints: [AuditCheckpoint]) {
        self.checkpoints = Dictionary(checkpoints.map { ($0.sequence, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A walk that starts after `checkpoint`'s entry (whose hash the caller has matched).
    public init(resumingAt checkpoint: AuditCheckpoint) {
        checkpoints = [:]
        expected = checkpoint.sequence + 1
        previousHash = checkpoint.hash
    }

    /// The last entry seen, 0 before the first.
    public var head: Int64 { expected - 1 }
    public var headHash: String { previousHash }

    public mutating func add(_ entry: AuditEntry) throws(AuditChainError) {
        let sequence = entry.sequence
        if sequence < expected {
            throw AuditChainError(
                .outOfOrder, "entry \(sequence) comes after entry \(expected - 1): the entries are out of order", sequence: sequence)
        }
        if sequence > expected {
            let gap = sequence - 1 > expected ? "entries \(expected) to \(sequence - 1) are" : "entry \(expected) is"
            throw AuditChainError(
                .missing, "\(gap) missing (the chain goes from \(expected - 1) to \(sequence): deleted, or out of order)",
                sequence: expected)
        }
        if entry.previousHash != previousHash {
            throw AuditChainError(
                .unlinked,
                "entry \(sequence) does not link to the hash of entry \(sequence - 1) (an entry was removed, reordered or replaced there)",
                sequence: sequence)
        }
        if !entry.hashMatches {
            throw AuditChainError(
                .changed, "entry \(sequence) was changed after it was written (its hash does not match its content)", sequence: sequence)
        }
        if let occurredAt = entry.occurredAt, occurredAt != entry.time {
            throw AuditChainError(
                .movedTime,
                "entry \(sequence)'s occurred_at was moved to \(occurredAt); its hashed time is \(entry.time)", sequence: sequence)
        }
        if let checkpoint = checkpoints[sequence], checkpoint.hash != entry.hash {
            throw AuditChainError(
                .rewritten,
                "entry \(sequence) hashes to \(entry.hash.prefix(16))…, but the checkpoint signed at \(checkpoint.time) says \(checkpoint.hash.prefix(16))…: the history up to entry \(sequence) was rewritten",
                sequence: sequence)
        }
        previousHash = entry.hash
        expected += 1
        checked += 1
    }

    /// Ends the walk: the chain must reach every checkpoint's entry.
    public func finish() throws(AuditChainError) {
        guard let latest = checkpoints.keys.max(), latest > head else { return }
        let cut = head + 1
        throw AuditChainError(
            .truncated,
            "the chain ends at entry \(head), but a checkpoint signed entry \(latest): entries \(cut) to \(latest) were deleted",
            sequence: cut)
    }
}

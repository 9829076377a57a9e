/// Why an audit chain, an entry or a checkpoint does not verify; `sequence` names the entry
/// where it shows, when there is one.
public struct AuditChainError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable {
        let raw: String
        /// Not the shape of an entry or a checkpoint.
        public static let malformed = Code(raw: "malformed")
        /// A checkpoint signed by none of the pinned keys.
        public static let unknownKey = Code(raw: "unknownKey")
        /// A checkpoint whose signature does not hold.
        public static let badSignature = Code(raw: "badSignature")
        /// An entry whose hash is not its content's.
        public static let changed = Code(raw: "changed")
        /// An entry that does not link to the one before it.
        public static let unlinked = Code(raw: "unlinked")
        /// A sequence number skipped.
        public static let missing = Code(raw: "missing")
        /// A sequence number seen again or going back.
        public static let outOfOrder = Code(raw: "outOfOrder")
        /// `occurred_at` moved away from the hashed time.
        public static let movedTime = Code(raw: "movedTime")
        /// The chain ends before a checkpoint's entry.
        public static let truncated = Code(raw: "truncated")
        /// The entry a checkpoint signed has another hash now: history was rewritten.
        public static let rewritten = Code(raw: "rewritten")
    }

    public var code: Code
    public var sequence: Int64?
    public var message: String

    public init(_ code: Code, _ message: String, sequence: Int64? = nil) {
        self.code = code
        self.message = message
        self.sequence = sequence
    }

    public var description: String { message }
}

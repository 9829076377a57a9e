import Manifests

/// How an object drifted from the commit applied.
public enum DriftKind: String, WireEnum, Hashable {
    /// Fields differ from the desired state.
    case modified
    /// The object is gone from the server (deleted out of band).
    case deleted
    /// The object exists under a desired name but is not in the apply set's inventory: made by
    /// someone else (out of band), not by this apply set.
    case createdOutOfBand
}

/// One field that differs: a JSON pointer into the comparable form, with both values (absent
/// where the field is absent).
public struct FieldDrift: Codable, Sendable, Hashable {
    public var path: String
    public var desired: JSONValue?
    public var live: JSONValue?

    public init(path: String, desired: JSONValue?, live: JSONValue?) {
        self.path = path
        self.desired = desired
        self.live = live
    }
}

/// `POST /api/audit/drift`: drift the reconciler detected on an object, or healed, recorded as
/// the audit event `drift-detected` or `drift-healed` on the object.
public struct DriftEvent: WireBody, Hashable {
    public enum Event: String, WireEnum, Hashable {
        case detected, healed

        /// The audit event's action.
        public var action: String { "drift-\(rawValue)" }
    }

    /// Who changed the object last, from the audit log.
    public struct Change: Codable, Sendable, Hashable {
        public var actor: String
        public var time: String
        public var action: String
        public var requestID: String

        enum CodingKeys: String, CodingKey {
            case actor, time, action
            case requestID = "requestId"
        }

        public init(actor: String, time: String, action: String, requestID: String) {
            self.actor = actor
            self.time = time
            self.action = action
            self.requestID = requestID
        }
    }

    /// Who wrote the object's desired state: the commit that last changed its manifest file
    /// (as the sync that applied it attributed it), that commit's author, and the merge that
    /// brought it in.
    public struct DesiredBy: Codable, Sendable, Hashable {
        public var commit: String
        public var author: String
        public var merge: String?

        public init(commit: String, author: String, merge: String?) {
            self.commit = commit
            self.author = author
            self.merge = merge
        }
    }

    /// The source's name.
    public var source: String
    public var event: Event
    public var object: ObjectRef
    public var drift: DriftKind
    public var commit: String?
    public var repository: String?
    public var fields: [FieldDrift]?
    public var changedBy: Change?
    public var desiredBy: DesiredBy?

    public static let maxFields = 200
    public static let maxFieldBytes = 65_536
    public static let route = "/api/audit/drift"

    public init(
        source: String, event: Event, object: ObjectRef, drift: DriftKind, commit: String?, repository: String?,
        fields: [FieldDrift], changedBy: Change?, desiredBy: DesiredBy? = nil
    ) {
        self.source = source
        self.event = event
        self.object = object
        self.drift = drift
        self.commit = commit
        self.repository = repository.map { clipped($0, toUTF8Bytes: SyncEvent.maxSourceText) }
        self.fields = fields.isEmpty ? nil : Self.fitting(fields)
        self.changedBy = changedBy
        self.desiredBy = desiredBy
    }

    /// The first 200 fields; past 64 KiB the values are left out and only the paths remain,
    /// so that a large drift is still recorded rather than refused.
    static func fitting(_ fields: [FieldDrift]) -> [FieldDrift] {
        // Paths are clipped to 256 bytes, so 200 of them leave this much for the values.
        var budget = maxFieldBytes - maxFields * 256
        return fields.prefix(maxFields).map { field in
            let values = (field.desired?.jsonString().utf8.count ?? 0) + (field.live?.jsonString().utf8.count ?? 0)
            let path = clipped(field.path, toUTF8Bytes: 256)
            guard values <= budget else { return FieldDrift(path: path, desired: nil, live: nil) }
            budget -= values
            return FieldDrift(path: path, desired: field.desired, live: field.live)
        }
    }

    static func size(_ fields: [FieldDrift]) -> Int {
        fields.reduce(0) { $0 + $1.path.utf8.count + ($1.desired?.jsonString().utf8.count ?? 0) + ($1.live?.jsonString().utf8.count ?? 0) }
    }

    public func validate() throws(BodyError) {
        guard StringFormat.dnsSubdomain.accepts(source) else {
            throw BodyError("source", "the source's name, \(StringFormat.dnsSubdomain.expectation)")
        }
        guard StringFormat.dnsSubdomain.accepts(object.name) else { throw BodyError("object", "kind/name, e.g. dataset/churn") }
        if let fields {
            guard fields.count <= Self.maxFields, Self.size(fields) <= Self.maxFieldBytes else {
                throw BodyError("fields", "at most \(Self.maxFields) objects {path, desired, live}, 64 KiB in all")
            }
        }
        if let changedBy, [changedBy.actor, changedBy.time, changedBy.action, changedBy.requestID].reduce(0, { $0 + $1.utf8.count }) > 2048
        {
            throw BodyError("changedBy", "an object of at most 2 KiB")
        }
        if let desiredBy, [desiredBy.commit, desiredBy.author, desiredBy.merge ?? ""].reduce(0, { $0 + $1.utf8.count }) > 2048 {
            throw BodyError("desiredBy", "an object of at most 2 KiB")
        }
        for (field, text) in [("commit", commit), ("repository", repository)] where (text?.utf8.count ?? 0) > SyncEvent.maxSourceText {
            throw BodyError(field, "a string of at most \(SyncEvent.maxSourceText) bytes")
        }
    }
}

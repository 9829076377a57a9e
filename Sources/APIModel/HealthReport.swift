/// The health of a set of objects: `GET /api/applysets/{name}/health` (a source's objects, which
/// the reconciler asks after every sync) and `POST /api/health` (`dpctl apply --wait`). Objects
/// that are not Healthy are listed with the reason, at most `maxListed` of them.
public struct HealthReport: WireBody, Hashable {
    public var health: HealthState
    /// Objects by their health, every object counted.
    public var counts: [String: Int]
    /// The objects that are not Healthy, worst first.
    public var objects: [ObjectHealth]

    public static let maxListed = 100

    public init(health: HealthState, counts: [String: Int], objects: [ObjectHealth]) {
        self.health = health
        self.counts = counts
        self.objects = objects
    }

    /// One line for statuses and notifications: "Degraded: datasetversion/churn-2026-10 is
    /// Quarantined (rowCount failed) and 1 other".
    public var summary: String {
        guard let first = objects.first else { return health.rawValue }
        let others = max(objects.count, (counts[HealthState.progressing.rawValue] ?? 0) + (counts[HealthState.degraded.rawValue] ?? 0)) - 1
        return "\(health.rawValue): \(first.object) \(first.reason)" + (others > 0 ? " and \(others) other\(others == 1 ? "" : "s")" : "")
    }

    public func validate() throws(BodyError) {
        guard objects.count <= Self.maxListed else { throw BodyError("objects", "at most \(Self.maxListed) objects") }
        for (index, object) in objects.enumerated() where ObjectRef(object.object) == nil {
            throw BodyError("objects[\(index)].object", "kind/name, e.g. datasetversion/churn-2026-10")
        }
    }
}

/// One object that is not Healthy, and why ("is Quarantined: 3 checks failed (rowCount, ...)").
public struct ObjectHealth: Codable, Sendable, Hashable {
    /// `datasetversion/churn-2026-10`.
    public var object: String
    public var health: HealthState
    public var reason: String

    public init(object: String, health: HealthState, reason: String) {
        self.object = object
        self.health = health
        self.reason = reason
    }
}

/// `POST /api/health` `{"objects": ["datasetversion/churn-2026-10", "run/baseline-1"]}`.
public struct HealthRequest: WireBody, Hashable {
    public var objects: [String]

    public static let maxObjects = 10_000

    public init(objects: [String]) { self.objects = objects }

    public func validate() throws(BodyError) {
        guard !objects.isEmpty, objects.count <= Self.maxObjects else {
            throw BodyError("objects", "a list of 1 to \(Self.maxObjects) kind/name strings")
        }
        for (index, object) in objects.enumerated() where ObjectRef(object) == nil {
            throw BodyError("objects[\(index)]", "kind/name, e.g. datasetversion/churn-2026-10, not \"\(object)\"")
        }
    }
}

import APIModel
import Manifests

/// Who changed an object last, from the audit log (the last event not written by the tools
/// that apply the desired state).
public struct LastChange: Sendable, Hashable {
    public var actor: String
    public var time: String
    public var action: String
    public var requestID: String
    public var tool: String?

    public init(actor: String, time: String, action: String, requestID: String, tool: String?) {
        self.actor = actor
        self.time = time
        self.action = action
        self.requestID = requestID
        self.tool = tool
    }
}

/// One drifted object.
public struct DriftItem: Sendable {
    public var ref: ObjectRef
    public var kind: DriftKind
    public var mode: DriftMode
    public var fields: [FieldDrift]
    public var lastChange: LastChange?
    /// Set when a heal was attempted: true when the desired state was applied again.
    public var healed: Bool?
    /// Why it was not healed (a version's content cannot be rewritten) or the heal failed.
    public var note: String?
    /// The plan item that heals it (nil when it cannot be healed).
    var heal: PlanItem?

    /// A short, stable description of the drift, to report the same drift only once.
    public var signature: String {
        kind.rawValue + "|" + fields.map { "\($0.path)=\($0.live?.jsonString() ?? "-")" }.joined(separator: ";")
    }
}

/// A drift scan: what was compared, and each drifted object.
public struct DriftReport: Sendable {
    /// What was scanned: `source examples`, `directory ./manifests`, `apply set growth`.
    public var scope: String
    public var commit: String?
    public var applySet: String?
    /// When the scan ran (RFC 3339, UTC).
    public var time: String
    /// Desired objects compared (ignored ones included).
    public var scanned: Int
    /// Objects whose mode is ignore.
    public var ignored: Int
    public var items: [DriftItem]
    /// Problems that kept objects out of the scan (bad annotations, unreadable data).
    public var warnings: [String]

    public init(
        scope: String, commit: String?, applySet: String?, time: String, scanned: Int, ignored: Int, items: [DriftItem], warnings: [String]
    ) {
        self.scope = scope
        self.commit = commit
        self.applySet = applySet
        self.time = time
        self.scanned = scanned
        self.ignored = ignored
        self.items = items
        self.warnings = warnings
    }

    public var healedCount: Int { items.filter { $0.healed == true }.count }
    /// Drifted objects that are still drifted after the scan (not healed).
    public var outstanding: [DriftItem] { items.filter { $0.healed != true } }
}

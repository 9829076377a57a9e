import APIModel
import Manifests

/// What to do with one object.
public enum PlanAction: String, Sendable, Hashable, Codable {
    case create, update, unchanged, delete, refused
}

/// One object's line in a plan: the action, the field changes (JSON pointers into the
/// comparable form) and, for refusals, why.
public struct PlanItem: Sendable {
    public var ref: ObjectRef
    public var action: PlanAction
    public var changes: [JSONChange]
    public var reason: String?
    public var manifest: Manifest?
    /// The live object as the server returned it.
    public var live: JSONValue?
    /// The comparable forms, both after the ignore rules: what diff shows.
    public var desiredForm: JSONValue?
    public var liveForm: JSONValue?
    public var ignore: IgnoreRules
    public var content: VersionContent?

    /// A delete of a live object.
    public static func deletion(of ref: ObjectRef, live: JSONValue) -> PlanItem {
        PlanItem(
            ref: ref, action: .delete, changes: [], reason: nil, manifest: nil, live: live,
            desiredForm: nil, liveForm: ComparableForm.live(live), ignore: IgnoreRules(pointers: []), content: nil)
    }
}

/// Desired against live, object by object, in dependency order.
public struct Plan: Sendable {
    public var items: [PlanItem]

    public init(items: [PlanItem]) { self.items = items }

    public var changes: [PlanItem] { items.filter { $0.action != .unchanged } }
    public var hasChanges: Bool { items.contains { $0.action != .unchanged } }
    public func count(_ action: PlanAction) -> Int { items.filter { $0.action == action }.count }

    /// `2 to create, 1 to update, 0 to delete, 12 unchanged`.
    public var summary: String {
        var parts = [
            "\(count(.create)) to create", "\(count(.update)) to update", "\(count(.delete)) to delete", "\(count(.unchanged)) unchanged",
        ]
        if count(.refused) > 0 { parts.append("\(count(.refused)) refused") }
        return parts.joined(separator: ", ")
    }
}

/// A plan that must not run at all; nothing has been written.
public struct PlanError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

import Manifests
import ServiceKit

/// What of a kind's spec is fixed once written (a DatasetVersion's dataset and content). An
/// update whose body gives another value for an immutable field is refused (409); every spec
/// field but the mutable ones keeps its stored value, whatever the body says (so a field the
/// body may carry without it counting, such as where a client found a file, is simply kept).
public struct Immutability: Sendable {
    public struct Field: Sendable {
        /// Where the field is below `spec`: `["source", "sha256"]`.
        public var path: [String]
        /// Where the stored value is read in the object, when not at `spec` + `path` (a digest
        /// the server computed: `["status", "sha256"]`).
        public var stored: [String]

        public init(_ path: [String], storedAt stored: [String]? = nil) {
            self.path = path
            self.stored = stored ?? ["spec"] + path
        }
    }

    public var fields: [Field]
    /// The spec fields an update may change.
    public var mutable: [String]
    /// The refusal's title and what to do instead: `Version is immutable`, `versions never change: ...`.
    public var title: String
    public var remedy: String

    public init(fields: [Field], mutable: [String], title: String, remedy: String) {
        self.fields = fields
        self.mutable = mutable
        self.title = title
        self.remedy = remedy
    }

    /// The spec an update of `current` stores: its stored spec with the mutable fields as `spec`
    /// gives them. Throws 409 naming the first immutable field `spec` changes.
    func spec(updating current: JSONValue, to spec: JSONValue, describedAs what: String) throws -> JSONValue {
        for field in fields {
            guard let given = Self.value(spec, at: field.path) else { continue }
            let stored = Self.value(current, at: field.stored)
            guard given != stored else { continue }
            let changed =
                "spec.\(field.path.joined(separator: ".")) (\(stored?.stringValue ?? "none") here, \(given.stringValue ?? given.jsonString()) in the body)"
            throw Problem(.conflict, title: title, detail: "\(what) differs in \(changed); \(remedy)")
        }
        var members = current["spec"]?.objectValue ?? []
        for key in mutable {
            let index = members.firstIndex { $0.key == key }
            switch (index, spec[key]) {
            case (let index?, let value?): members[index].value = value
            case (let index?, nil): members.remove(at: index)
            case (nil, let value?): members.append(JSONMember(key, value))
            case (nil, nil): break
            }
        }
        return .object(members)
    }

    static func value(_ object: JSONValue, at path: [String]) -> JSONValue? {
        path.reduce(Optional(object)) { $0?[$1] }
    }
}

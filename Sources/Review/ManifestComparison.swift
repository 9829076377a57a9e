import APIModel
import Manifests
import SyncEngine

/// The manifest change between two commits: objects added, changed, removed and renamed, each
/// with a unified diff of its YAML. A version is compared with its data's sha256 in
/// `spec.source`, so a data file changed under an unchanged manifest shows as a change.
/// A rename is a removed and an added object of the same kind that differ in nothing but
/// their name.
struct ManifestComparison {
    struct Entry {
        var ref: ObjectRef
        var kind: ManifestChangeKind
        var renamedFrom: ObjectRef?
        var diff: String
    }

    let base: [Manifest]
    let head: [Manifest]
    let baseDigests: [ObjectRef: String]
    let headDigests: [ObjectRef: String]

    func entries() -> [Entry] {
        let old = Dictionary(base.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(head.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        var out: [Entry] = []
        var added: [ObjectRef] = []
        for (ref, manifest) in new {
            guard let previous = old[ref] else {
                added.append(ref)
                continue
            }
            let before = Self.form(previous, digest: baseDigests[ref]), after = Self.form(manifest, digest: headDigests[ref])
            if before != after {
                out.append(
                    Entry(
                        ref: ref, kind: .changed, renamedFrom: nil,
                        diff: Self.diff(before, after, oldName: "a/" + previous.origin.file, newName: "b/" + manifest.origin.file)))
            }
        }
        var removed = old.keys.filter { new[$0] == nil }.sorted()
        // Renames: pair each added object with a removed one of the same kind and the same content.
        var removedByContent: [String: [ObjectRef]] = [:]
        for ref in removed {
            removedByContent[Self.renameKey(old[ref]!, digest: baseDigests[ref]), default: []].append(ref)
        }
        for ref in added.sorted() {
            let manifest = new[ref]!
            let after = Self.form(manifest, digest: headDigests[ref])
            let key = Self.renameKey(manifest, digest: headDigests[ref])
            if let from = removedByContent[key]?.first {
                removedByContent[key]?.removeFirst()
                removed.removeAll { $0 == from }
                let previous = old[from]!
                out.append(
                    Entry(
                        ref: ref, kind: .renamed, renamedFrom: from,
                        diff: Self.diff(
                            Self.form(previous, digest: baseDigests[from]), after,
                            oldName: "a/" + previous.origin.file, newName: "b/" + manifest.origin.file)))
            } else {
                out.append(
                    Entry(
                        ref: ref, kind: .added, renamedFrom: nil,
                        diff: Self.diff(nil, after, oldName: "/dev/null", newName: "b/" + manifest.origin.file)))
            }
        }
        for ref in removed {
            let previous = old[ref]!
            out.append(
                Entry(
                    ref: ref, kind: .removed, renamedFrom: nil,
                    diff: Self.diff(
                        Self.form(previous, digest: baseDigests[ref]), nil, oldName: "a/" + previous.origin.file, newName: "/dev/null")))
        }
        return out.sorted { $0.ref < $1.ref }
    }

    /// The manifest as written, with a version's data digest in `spec.source.sha256`.
    static func form(_ manifest: Manifest, digest: String?) -> JSONValue {
        var body = manifest.body
        if manifest.kind == .datasetVersion, let digest, case .object(var members) = body,
            let specIndex = members.firstIndex(where: { $0.key == "spec" }), case .object(var spec) = members[specIndex].value,
            let sourceIndex = spec.firstIndex(where: { $0.key == "source" }), case .object(var source) = spec[sourceIndex].value
        {
            if let shaIndex = source.firstIndex(where: { $0.key == "sha256" }) {
                source[shaIndex].value = .string(digest)
            } else {
                source.append(JSONMember("sha256", .string(digest)))
            }
            spec[sourceIndex].value = .object(source)
            members[specIndex].value = .object(spec)
            body = .object(members)
        }
        return ComparableForm.normalized(body)
    }

    /// Kind and content without the name: equal keys are a rename.
    static func renameKey(_ manifest: Manifest, digest: String?) -> String {
        let form = form(manifest, digest: digest)
        let spec = form["spec"] ?? .null
        return manifest.kind.rawValue + "\n" + spec.jsonString() + "\n" + (form["metadata"]?["labels"] ?? .null).jsonString()
    }

    static func diff(_ old: JSONValue?, _ new: JSONValue?, oldName: String, newName: String) -> String {
        UnifiedDiff.render(old: old.map(YAMLEmitter.emit) ?? "", new: new.map(YAMLEmitter.emit) ?? "", oldName: oldName, newName: newName)
    }
}

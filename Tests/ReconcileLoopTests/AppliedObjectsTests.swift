import APIModel
import Manifests
import Testing

@testable import Reconciler

/// The compact applied state an incremental sync compares a new commit with: digests per
/// object, carried over for files whose content identity did not change.
@Suite struct AppliedObjectsTests {
    static func dataset(_ name: String, _ description: String) -> String {
        RandomRepository.text(.init(kind: .dataset, name: name, description: description))
    }

    /// A snapshot of `files`, each file's version its text (as a blob id is its content's), or none.
    static func snapshot(_ commit: String, _ files: [String: String], versions: Bool = true) -> CommitSnapshot {
        let manifests = ManifestLoader(options: LoadOptions(allowExternalReferences: true)).load(
            files.sorted { $0.key < $1.key }.map { .bytes(name: $0.key, Array($0.value.utf8)) })
        var snapshot = CommitSnapshot(
            commit: commit, author: "Ada <ada@example.com>", message: "", manifests: manifests, content: NoContent())
        if versions { snapshot.fileVersions = files }
        #expect(
            manifests.isValid
                && manifests.manifests.count == files.values.map { $0.components(separatedBy: "kind:").count - 1 }.reduce(0, +))
        return snapshot
    }

    static let first: [String: String] = [
        "a.yaml": [dataset("a1", "one"), dataset("a2", "two"), dataset("a3", "three")].joined(separator: "---\n"),
        "b.yaml": [dataset("b1", "one"), dataset("b2", "two")].joined(separator: "---\n"),
        "c.yaml": dataset("c1", "one"),
    ]

    @Test func aOneDocumentEditPlansThatObjectOnlyAndLooksAtItsFileOnly() {
        let applied = AppliedObjects(Self.snapshot("1", Self.first))
        #expect(applied.objects.count == 6)
        var files = Self.first
        files["a.yaml"] = [Self.dataset("a1", "one"), Self.dataset("a2", "edited"), Self.dataset("a3", "three")].joined(separator: "---\n")
        let (next, touched) = AppliedObjects.next(Self.snapshot("2", files), after: applied)
        // Only the changed file's objects were looked at (hashed); the others were carried over.
        #expect(touched == [ObjectRef(.dataset, "a1"), ObjectRef(.dataset, "a2"), ObjectRef(.dataset, "a3")])
        // An unchanged document in the changed file is not planned: its desired state is what was applied.
        #expect(next.changed(since: applied, among: touched) == [ObjectRef(.dataset, "a2")])
        #expect(next.objects[ObjectRef(.dataset, "b1")] == applied.objects[ObjectRef(.dataset, "b1")])
        // The same answer as comparing every object.
        #expect(next.changed(since: applied, among: nil) == [ObjectRef(.dataset, "a2")])
    }

    @Test func movesDeletesAddsAndRemovedFilesAreChanges() {
        let applied = AppliedObjects(Self.snapshot("1", Self.first))
        var files = Self.first
        // c1 moves to a new file unchanged, b.yaml goes, a3 is deleted, a4 is added.
        files["c.yaml"] = nil
        files["d/c.yaml"] = Self.dataset("c1", "one")
        files["b.yaml"] = nil
        files["a.yaml"] = [Self.dataset("a1", "one"), Self.dataset("a2", "two"), Self.dataset("a4", "four")].joined(separator: "---\n")
        let (next, touched) = AppliedObjects.next(Self.snapshot("2", files), after: applied)
        let expected: Set<ObjectRef> = [
            ObjectRef(.dataset, "c1"), ObjectRef(.dataset, "b1"), ObjectRef(.dataset, "b2"), ObjectRef(.dataset, "a3"),
            ObjectRef(.dataset, "a4"),
        ]
        #expect(next.changed(since: applied, among: touched) == expected)
        #expect(next.changed(since: applied, among: nil) == expected)
        #expect(next.objects[ObjectRef(.dataset, "c1")]?.file == "d/c.yaml")
        #expect(next.objects[ObjectRef(.dataset, "b1")] == nil)
        #expect(Set(next.files.keys) == ["a.yaml", "d/c.yaml"])
    }

    /// Content identity is per file version, never per path or commit: after a force push that
    /// rewrote a file under the same path, its objects are hashed again and the change is planned.
    @Test func aRewrittenFileIsNeverServedFromTheCarriedOverDigests() {
        let applied = AppliedObjects(Self.snapshot("1", Self.first))
        var files = Self.first
        files["c.yaml"] = Self.dataset("c1", "rewritten by a force push")
        let (next, touched) = AppliedObjects.next(Self.snapshot("unrelated", files), after: applied)
        #expect(next.changed(since: applied, among: touched) == [ObjectRef(.dataset, "c1")])
        #expect(next.objects[ObjectRef(.dataset, "c1")]?.digest != applied.objects[ObjectRef(.dataset, "c1")]?.digest)
    }

    /// A source that cannot tell file versions: every object is hashed and compared.
    @Test func withoutFileVersionsEveryObjectIsCompared() {
        let applied = AppliedObjects(Self.snapshot("1", Self.first, versions: false))
        var files = Self.first
        files["b.yaml"] = [Self.dataset("b1", "edited"), Self.dataset("b2", "two")].joined(separator: "---\n")
        let (next, touched) = AppliedObjects.next(Self.snapshot("2", files, versions: false), after: applied)
        #expect(touched == nil)
        #expect(next.changed(since: applied, among: touched) == [ObjectRef(.dataset, "b1")])
        // Versions known now but not before: nothing is carried over.
        let (mixed, mixedTouched) = AppliedObjects.next(Self.snapshot("3", files), after: applied)
        #expect(mixedTouched?.count == 6)
        #expect(mixed.changed(since: applied, among: mixedTouched) == [ObjectRef(.dataset, "b1")])
    }
}

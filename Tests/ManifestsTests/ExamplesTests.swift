import Foundation
import Manifests
import TestSupport
import Testing

@Suite struct ExamplesTests {
    @Test func examplesRepositoryIsValid() throws {
        let set = ManifestLoader(options: LoadOptions(recursive: true))
            .load([.path(repositoryRoot.appendingPathComponent("examples").path)])
        #expect(set.diagnostics.map(\.formatted) == [])
        let counts = Dictionary(grouping: set.manifests, by: \.kind).mapValues(\.count)
        #expect(counts[.dataset] == 3)
        #expect(counts[.datasetVersion] == 4)
        #expect(counts[.qualityRule] == 4)
        #expect(counts[.experiment] == 1)
        #expect(counts[.run] == 2)
        // Every check type of the vocabulary is exercised by the examples.
        let used = Set(
            set.manifests.filter { $0.kind == .qualityRule }
                .flatMap { $0.spec["checks"]?.arrayValue ?? [] }
                .flatMap { $0.objectValue?.map(\.key) ?? [] })
        #expect(Set(Schemas.checkTypes).isSubset(of: used))
    }

    @Test func withoutRecursionOnlyTheFolderItselfIsRead() {
        let set = ManifestLoader(options: LoadOptions(recursive: false))
            .load([.path(repositoryRoot.appendingPathComponent("examples").path)])
        #expect(set.filesRead == 0)
        #expect(set.manifests.isEmpty)
    }

    @Test func committedSchemasAndCRDsMatchTheModel() throws {
        for file in GeneratedFiles.all() {
            let committed = try? String(contentsOf: repositoryRoot.appendingPathComponent(file.path), encoding: .utf8)
            #expect(committed == file.contents, "\(file.path) is stale: run `make schemas` (dpctl schemas --write .)")
        }
    }
}

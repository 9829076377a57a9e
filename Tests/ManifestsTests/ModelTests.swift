import Foundation
import Manifests
import Testing

@Suite struct CanonicalFormTests {
    /// The last manifest of `text`.
    func manifest(_ text: String) throws -> Manifest {
        let set = ManifestLoader(options: LoadOptions(allowExternalReferences: true))
            .load([.bytes(name: "m.yaml", Array(text.utf8))])
        #expect(set.errors.isEmpty, "\(set.errors.map(\.formatted))")
        return try #require(set.manifests.last)
    }

    @Test func keyOrderAndStyleDoNotChangeTheDigest() throws {
        let a = try manifest(churn)
        let b = try manifest(
            """
            kind: Dataset
            spec: {format: 'csv', owner: "growth@example.com", schema: {columns: [{type: string, name: customer_id, nullable: false}, {name: tenure, type: integer}]}}
            metadata: {name: churn}
            apiVersion: datapilot.io/v1alpha1
            """)
        #expect(a.digest == b.digest)
        #expect(a.canonicalJSON == b.canonicalJSON)
        #expect(a.digest.hasPrefix("sha256:") && a.digest.count == 71)
    }

    @Test func aChangedValueChangesTheDigest() throws {
        let a = try manifest(churn)
        let b = try manifest(churn.replacingOccurrences(of: "format: csv", with: "format: jsonl"))
        #expect(a.digest != b.digest)
    }

    @Test func canonicalJSONIsSortedAndCompact() throws {
        let m = try manifest(
            """
            apiVersion: datapilot.io/v1alpha1
            kind: Experiment
            metadata: {name: e, labels: {z: "1", a: "2"}}
            spec: {objective: {metric: "auc\\n", goal: maximize}, description: 'say "hi"'}
            """)
        let json = String(decoding: m.canonicalJSON, as: UTF8.self)
        #expect(
            json
                == #"{"apiVersion":"datapilot.io/v1alpha1","kind":"Experiment","metadata":{"labels":{"a":"2","z":"1"},"name":"e"},"spec":{"description":"say \"hi\"","objective":{"goal":"maximize","metric":"auc\n"}}}"#
        )
        // The canonical bytes are JSON that Foundation reads back to the same value.
        let reparsed = try JSONSerialization.jsonObject(with: Data(m.canonicalJSON)) as? [String: Any]
        #expect(reparsed?["kind"] as? String == "Experiment")
    }

    @Test func explicitNullIsTheSameAsAbsent() throws {
        let a = try manifest(experiment)
        let b = try manifest(experiment + "\n  description: ~")
        #expect(a.digest == b.digest)
    }

    /// The same rule in maps (labels, annotations, params), as Kubernetes prunes such nulls too.
    @Test func aNullMapValueIsTheKeyLeftOut() throws {
        let a = try manifest(run("  params: {epochs: 20}"))
        let b = try manifest(run("  params: {epochs: 20, lr: null, warm: ~}"))
        #expect(a.digest == b.digest)
        let labelled = { (maps: String) in
            try self.manifest(experiment.replacingOccurrences(of: "  name: exp", with: "  name: exp\n" + maps))
        }
        #expect(
            try labelled("  labels: {team: null}\n  annotations: {a/b: }").digest
                == (try labelled("  labels: {}\n  annotations: {}")).digest)
    }

    @Test func numbersKeepTheirMeaning() throws {
        let m = try manifest(run("  params: {lr: 0.1, epochs: 20, name: big, warm: true}\n  execute: false"))
        #expect(m.kind == .run)
        let params = m.spec["params"]
        #expect(params?["lr"] == .double(0.1))
        #expect(params?["epochs"] == .int(20))
        #expect(params?["warm"] == .bool(true))
    }
}

@Suite struct StringFormatTests {
    static let samples: [StringFormat: [String]] = [
        .dnsSubdomain: ["churn", "churn-2026.10", "a", "Churn", "-a", "a-", "a..b", "a_b", "", String(repeating: "a", count: 254)],
        .labelKey: [
            "team", "datapilot.io/prune", "app.kubernetes.io/name", "/x", "a/b/c", "Team_1", "-x", "x.", String(repeating: "k", count: 64),
            "Example.com/x", String(repeating: "p", count: 253) + "/x", String(repeating: "p", count: 254) + "/x",
        ],
        .annotationKey: [
            "team", "example.com/x", "Example.COM/x", "EXAMPLE/x", "a/b/c", "/x", "-a.b/x", String(repeating: "P", count: 253) + "/x",
            String(repeating: "P", count: 254) + "/x", "é/x",
        ],
        .labelValue: ["", "growth", "v1.2_3", "has space", "-x", String(repeating: "v", count: 64)],
        .sha256Hex: [
            String(repeating: "a", count: 64), String(repeating: "A", count: 64), String(repeating: "a", count: 63),
            String(repeating: "g", count: 64),
        ],
        .commitSHA: [String(repeating: "0", count: 40), String(repeating: "0", count: 41), "3f1c0e5"],
        .imageDigest: [
            "sha256:" + String(repeating: "f", count: 64), String(repeating: "f", count: 64), "sha512:" + String(repeating: "f", count: 64),
        ],
        .duration: ["36h", "0s", "10d", "1.5h", "h", "10", "10w", "3 days"],
        .percent: ["0%", "0.5%", "100%", "5", "%", ".5%", "1.%", "1.2.3%", "100.0%", "100.01%", "150%", "0099.5%", "1000%"],
        .url: [
            "https://a.example/x.csv", "http://a", "ftp://a", "https://", "https://a b", "https://a\u{0B}b", "https://a\u{A0}b",
            "https://" + String(repeating: "é", count: 2040), "https://" + String(repeating: "é", count: 2041),
        ],
        .relativePath: ["data/x.csv", "../x", "/etc/passwd", " x", "a\nb"],
        .nonBlank: ["x", " x ", "", "   ", "\u{0B}", "\u{A0}"],
    ]

    /// The hand-written check and the regular expression written into the schemas agree.
    @Test(arguments: StringFormat.allCases)
    func checkAgreesWithPattern(_ format: StringFormat) throws {
        let regex = try NSRegularExpression(pattern: format.pattern)
        for sample in Self.samples[format] ?? [] {
            let range = NSRange(sample.startIndex..., in: sample)
            var matches = regex.firstMatch(in: sample, range: range) != nil
            if let lengths = format.lengthPattern, try NSRegularExpression(pattern: lengths).firstMatch(in: sample, range: range) == nil {
                matches = false
            }
            if let maxLength = format.maxLength, sample.unicodeScalars.count > maxLength { matches = false }
            #expect(format.accepts(sample) == matches, "\(format) disagrees on \"\(sample)\"")
        }
    }
}

@Suite struct LoaderTests {
    @Test func standardInputIsOneMoreSource() throws {
        let repository = try TemporaryRepository()
        try repository.write("exp.yaml", experiment)
        let set = ManifestLoader().load([
            .path(repository.url.appendingPathComponent("exp.yaml").path),
            .bytes(name: "<stdin>", Array(run("").utf8)),
        ])
        // The Run on stdin refers to the Experiment in the file; its own copy of `exp` collides.
        #expect(set.errors.map(\.code) == [.duplicateObject])
        #expect(set.errors.first?.file == "<stdin>")
    }

    @Test func onlyYAMLFilesAreReadAndHiddenFoldersAreSkipped() throws {
        let repository = try TemporaryRepository()
        try repository.write("a/one.yaml", churn)
        try repository.write("a/b/two.yml", experiment)
        try repository.write("a/notes.txt", "not yaml: [")
        try repository.write("a/.hidden/three.yaml", "broken: [")
        let set = repository.load(["a"])
        #expect(set.isValid)
        #expect(set.filesRead == 2)
        #expect(Set(set.manifests.map(\.name)) == ["churn", "exp"])
    }

    @Test func dataPathsResolveFromTheManifestFolder() throws {
        let repository = try TemporaryRepository()
        try repository.write("data/x.csv", "a\n1\n")
        try repository.write(
            "m/d.yaml",
            churn + "\n---\n" + """
                apiVersion: datapilot.io/v1alpha1
                kind: DatasetVersion
                metadata: {name: v1}
                spec: {dataset: churn, source: {path: ../data/x.csv}}
                """)
        #expect(repository.load(["m"]).isValid)
    }

    @Test func aSymlinkInsideTheRepositoryIsFine() throws {
        let repository = try TemporaryRepository()
        try repository.write("data/real.csv", "a\n1\n")
        try repository.symlink("data/alias.csv", to: "real.csv")
        try repository.write(
            "v.yaml",
            churn + "\n---\n" + """
                apiVersion: datapilot.io/v1alpha1
                kind: DatasetVersion
                metadata: {name: v1}
                spec: {dataset: churn, source: {path: data/alias.csv}}
                """)
        #expect(repository.load(["v.yaml"]).isValid)
    }

    @Test func kindsAcceptTheirCommandLineNames() {
        #expect(ManifestKind(argument: "datasets") == .dataset)
        #expect(ManifestKind(argument: "dsv") == .datasetVersion)
        #expect(ManifestKind(argument: "QualityRule") == .qualityRule)
        #expect(ManifestKind(argument: "runs") == .run)
        #expect(ManifestKind(argument: "pods") == nil)
    }
}

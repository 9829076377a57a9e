import Foundation
import Manifests
import TestSupport
import Testing

/// `dpctl validate`, the JSON Schemas in schemas/ and the CRDs in crds/ say the same about a few
/// hundred seeded mutations of the example manifests, except for the rules listed in
/// `knownDifferences` (and in docs/manifests.md). One dpctl run reads every mutation from a
/// folder; one Python process (Tests/SchemaAgreement/check.py) checks them all with
/// python-jsonschema, against the schemas and, as a Kubernetes API server would, the CRDs.
@Suite struct SchemaAgreementTests {
    /// DATAPILOT_AGREEMENT_SEED and DATAPILOT_AGREEMENT_COUNT explore other mutations; the
    /// default is fixed so that a failure reproduces.
    static let seed = ProcessInfo.processInfo.environment["DATAPILOT_AGREEMENT_SEED"].flatMap { UInt64($0) } ?? 0x16_07
    static let mutations = ProcessInfo.processInfo.environment["DATAPILOT_AGREEMENT_COUNT"].flatMap { Int($0) } ?? 400

    /// What a schema cannot say, by the validator's diagnostic: `schema` / `crd` is true when
    /// that side cannot check it (and so accepts a manifest the validator refuses for it alone).
    static let knownDifferences: [(rule: String, schema: Bool, crd: Bool, matches: @Sendable (Diagnostic) -> Bool)] = [
        ("references name objects that exist", true, true, { $0.code == .unresolvedReference }),
        ("names are unique per kind across all manifests", true, true, { $0.code == .duplicateObject }),
        ("a check's columns are in its Dataset's schema", true, true, { $0.code == .unknownColumn }),
        (
            "a DatasetVersion's path names a regular file inside the repository", true, true,
            { [.fileNotFound, .pathOutsideRepository].contains($0.code) || $0.message.hasSuffix("is not a regular file") }
        ),
        ("a regex check's pattern compiles", true, true, { $0.message.hasSuffix("is not a valid regular expression") }),
        ("min is not greater than max (the CRD says it in CEL)", true, false, { $0.message.contains("is greater than max") }),
        (
            "column names are unique within a schema (the CRD says it as a list-type map)", true, false,
            { $0.message.hasPrefix("column \"") && $0.message.hasSuffix("appears more than once in columns") }
        ),
        ("check names are unique within a rule", true, true, { $0.message.hasPrefix("check name \"") }),
    ]

    @Test func validatorSchemasAndCRDsAgree() async throws {
        let probe = try await Subprocess.run("python3", ["-c", "import jsonschema, yaml"], combined: true)
        try #require(
            probe.status == 0,
            "python3 cannot import jsonschema and yaml: run scripts/test.sh (it installs the Python test peers): \(probe.stdout)")

        let folder = try scratchFolder("schema-agreement")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifests = folder.appendingPathComponent("m")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        // The examples' data files, at the place their `../data/...` paths lead to.
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("examples/data"), to: folder.appendingPathComponent("data"))

        let examples = ManifestLoader(options: LoadOptions(recursive: true))
            .load([.path(repositoryRoot.appendingPathComponent("examples").path)])
        try #require(examples.isValid && examples.manifests.count >= 10)

        var random = SeededRandom(seed: Self.seed)
        var described: [String: String] = [:]
        for i in 0..<Self.mutations {
            let base = examples.manifests[Int.random(in: 0..<examples.manifests.count, using: &random)]
            var mutator = Mutator(body: base.body.setting([.key("metadata"), .key("name")], to: .string("m\(i)")))
            let operations = Int.random(in: 0..<4, using: &random) == 0 ? 2 : 1
            var steps: [String] = []
            for _ in 0..<operations { steps.append(mutator.mutate(using: &random)) }
            let name = String("\(10_000 + i)".dropFirst()) + "-\(base.kind.singular).yaml"
            described[name] = "\(base.kind.rawValue) \(base.name): " + steps.joined(separator: "; ")
            try Data(mutator.body.jsonString(pretty: true).utf8).write(to: manifests.appendingPathComponent(name))
        }

        let validate = try await dpctl(
            "validate", "-f", manifests.path, "--root", folder.path, "--allow-external-refs", "-o", "json")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(validate.stdout.utf8)) as? [String: Any], "\(validate.stderr)")
        let reported = try #require(report["diagnostics"] as? [[String: Any]])
        var errors: [String: [Diagnostic]] = [:]
        for d in reported where d["severity"] as? String == "error" {
            let file = try #require(d["file"] as? String)
            let diagnostic = Diagnostic(
                .error, Diagnostic.Code(rawValue: d["code"] as? String ?? ""), file: file, line: d["line"] as? Int ?? 0,
                column: d["column"] as? Int ?? 0, path: d["path"] as? String ?? "", message: d["message"] as? String ?? "")
            errors[URL(fileURLWithPath: file).lastPathComponent, default: []].append(diagnostic)
        }

        let script = repositoryRoot.appendingPathComponent("Tests/SchemaAgreement/check.py").path
        let checked = try await Subprocess.run("python3", [script, repositoryRoot.path, manifests.path])
        try #require(checked.status == 0, "check.py failed: \(checked.stderr)")
        let verdicts = try #require(try JSONSerialization.jsonObject(with: Data(checked.stdout.utf8)) as? [String: [String: [String]]])
        #expect(verdicts.count == Self.mutations)

        var counts = (valid: 0, invalid: 0, differences: 0)
        for (name, description) in described.sorted(by: { $0.key < $1.key }) {
            let found = errors[name] ?? []
            let verdict = try #require(verdicts[name], "check.py did not report \(name)")
            let schemaCannot = found.allSatisfy { d in Self.knownDifferences.contains { $0.schema && $0.matches(d) } }
            let crdCannot = found.allSatisfy { d in Self.knownDifferences.contains { $0.crd && $0.matches(d) } }
            if found.isEmpty { counts.valid += 1 } else { counts.invalid += 1 }
            if !found.isEmpty && (schemaCannot || crdCannot) { counts.differences += 1 }
            let context = "\(name) (seed \(Self.seed): \(description))\n  dpctl validate: \(found.map { "\($0.path): \($0.message)" })"
            #expect(
                verdict["schema"]?.isEmpty == schemaCannot,
                "JSON Schema disagrees on \(context)\n  schema: \(verdict["schema"] ?? [])")
            #expect(
                verdict["crd"]?.isEmpty == crdCannot,
                "CRD disagrees on \(context)\n  crd: \(verdict["crd"] ?? [])")
        }
        // Not a vacuous agreement: both verdicts are well represented, and the rules the CRDs used
        // to lose are each broken by some mutation.
        #expect(counts.valid >= Self.mutations / 8, "\(counts)")
        #expect(counts.invalid >= Self.mutations / 2, "\(counts)")
        #expect(described.values.filter { $0.contains("= null") }.count >= 20)
        let all = Array(errors.values.joined())
        let exercised: [(rule: String, matches: (Diagnostic) -> Bool)] = [
            ("threshold", { $0.path.hasSuffix(".threshold") }),
            ("allowedValues item types", { $0.path.contains(".allowedValues.values[") }),
            ("params value types", { $0.path.hasPrefix("spec.params.") }),
            ("url requires sha256", { $0.message.hasPrefix("sha256 is required with url") }),
            ("label keys", { $0.path.hasPrefix("metadata.labels.") && $0.code == .invalidName }),
            ("min not above max", { $0.message.contains("is greater than max") }),
        ]
        let unbroken = exercised.filter { rule in !all.contains(where: rule.matches) }.map(\.rule)
        #expect(unbroken.isEmpty, "no mutation broke the rules on \(unbroken)")
    }
}

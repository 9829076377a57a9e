import Foundation
import YAML

/// The checks that need the whole set: duplicate names, references between objects, quality
/// checks' columns against their dataset's schema, data files, regular expressions, and quality
/// rules that would have to evaluate Parquet.
struct SetChecks {
    let manifests: [Manifest]
    let trees: [String: any SourceTree]
    let options: LoadOptions
    var diagnostics: [Diagnostic] = []

    init(manifests: [Manifest], trees: [String: any SourceTree], options: LoadOptions) {
        self.manifests = manifests
        self.trees = trees
        self.options = options
    }

    mutating func run() -> [Diagnostic] {
        var byKey: [ManifestKind: [String: Manifest]] = [:]
        for manifest in manifests {
            if let first = byKey[manifest.kind]?[manifest.name] {
                add(
                    .error, .duplicateObject, manifest.origin.file, manifest.origin.nameMark, "metadata.name",
                    "\(manifest.kind.rawValue) \"\(manifest.name)\" is defined twice: here and at \(first.origin.location); names are unique per kind"
                )
            } else {
                byKey[manifest.kind, default: [:]][manifest.name] = manifest
            }
        }

        for manifest in manifests {
            let columns = schemaColumns(of: manifest, in: byKey)
            for occurrence in manifest.occurrences {
                let file = manifest.origin.file
                switch occurrence.role {
                case .reference(let kind):
                    guard byKey[kind]?[occurrence.value] == nil else { continue }
                    let names = byKey[kind].map { Array($0.keys) } ?? []
                    let severity: Diagnostic.Severity = options.allowExternalReferences ? .warning : .error
                    var message =
                        "\(kind.rawValue) \"\(occurrence.value)\" is not defined in these manifests"
                        + Suggest.hint(for: occurrence.value, in: names)
                    message +=
                        options.allowExternalReferences
                        ? "; it must already exist on the server"
                        : "; if it already exists on the server, validate with --allow-external-refs"
                    add(severity, .unresolvedReference, file, occurrence.mark, occurrence.path.dotted, message)
                case .column:
                    guard let (dataset, columns) = columns, !columns.contains(occurrence.value) else { continue }
                    add(
                        .error, .unknownColumn, file, occurrence.mark, occurrence.path.dotted,
                        "column \"\(occurrence.value)\" is not in the schema of Dataset \"\(dataset)\""
                            + Suggest.hint(for: occurrence.value, in: columns) + "; its columns are " + columns.joined(separator: ", "))
                case .sourcePath:
                    checkSource(occurrence, in: manifest)
                case .regex:
                    do {
                        _ = try NSRegularExpression(pattern: occurrence.value)
                    } catch {
                        add(
                            .error, .invalidValue, file, occurrence.mark, occurrence.path.dotted,
                            "\"\(occurrence.value)\" is not a valid regular expression")
                    }
                }
            }
        }
        checkEvaluableFormats(byKey)
        return diagnostics
    }

    /// A QualityRule whose Dataset (in the set) is Parquet, and a version of a dataset with rules
    /// whose data file is Parquet: the evaluator cannot read it, so the rule would be skipped.
    mutating func checkEvaluableFormats(_ byKey: [ManifestKind: [String: Manifest]]) {
        let rules = Dictionary(grouping: manifests.filter { $0.kind == .qualityRule }) { $0.spec["dataset"]?.stringValue ?? "" }
        for (dataset, datasetRules) in rules.sorted(by: { $0.key < $1.key }) {
            if let declared = byKey[.dataset]?[dataset], declared.spec["format"]?.stringValue == "parquet" {
                for rule in datasetRules {
                    let mark = rule.occurrences.first { $0.path.dotted == "spec.dataset" }?.mark ?? rule.origin.nameMark
                    add(
                        .error, .unsupportedFormat, rule.origin.file, mark, "spec.dataset",
                        "Dataset \"\(dataset)\" (\(declared.origin.location)) is Parquet (spec.format: parquet); " + EvaluableFormat.advice)
                }
                continue
            }
            for version in manifests where version.kind == .datasetVersion && version.spec["dataset"]?.stringValue == dataset {
                guard let (field, file) = EvaluableFormat.source(of: version.spec), EvaluableFormat.isParquet(file) else { continue }
                let mark = version.occurrences.first { $0.path.dotted == field }?.mark ?? version.origin.nameMark
                add(
                    .error, .unsupportedFormat, version.origin.file, mark, field,
                    "\"\(file)\" is a Parquet file and QualityRule \"\(datasetRules[0].name)\" (\(datasetRules[0].origin.location)) checks "
                        + "Dataset \"\(dataset)\"; " + EvaluableFormat.advice)
            }
        }
    }

    /// For a QualityRule whose Dataset is in the set and declares a schema: the dataset and its columns.
    func schemaColumns(of manifest: Manifest, in byKey: [ManifestKind: [String: Manifest]]) -> (String, [String])? {
        guard manifest.kind == .qualityRule, let dataset = manifest.spec["dataset"]?.stringValue,
            let columns = byKey[.dataset]?[dataset]?.spec["schema"]?["columns"]?.arrayValue
        else { return nil }
        return (dataset, columns.compactMap { $0["name"]?.stringValue })
    }

    mutating func checkSource(_ occurrence: StringOccurrence, in manifest: Manifest) {
        let file = manifest.origin.file
        guard let tree = trees[file] else { return }
        let path = occurrence.path.dotted
        switch tree.locate(occurrence.value, from: file) {
        case .file: break
        case .notFound(let repositoryPath):
            add(
                .error, .fileNotFound, file, occurrence.mark, path,
                "no file at \"\(occurrence.value)\" (\(repositoryPath) in the repository); paths are relative to this manifest's folder")
        case .outsideRepository:
            add(
                .error, .pathOutsideRepository, file, occurrence.mark, path,
                "\"\(occurrence.value)\" leads outside the repository; data files must live inside it")
        case .linkOutsideRepository(let target):
            add(
                .error, .pathOutsideRepository, file, occurrence.mark, path,
                "\"\(occurrence.value)\" is a symbolic link to \(target), outside the repository; copy the file into the repository instead"
            )
        case .notARegularFile(let repositoryPath):
            add(.error, .invalidValue, file, occurrence.mark, path, "\"\(repositoryPath)\" is not a regular file")
        }
    }

    mutating func add(
        _ severity: Diagnostic.Severity, _ code: Diagnostic.Code, _ file: String, _ mark: Mark, _ path: String, _ message: String
    ) {
        diagnostics.append(Diagnostic(severity, code, file: file, line: mark.line, column: mark.column, path: path, message: message))
    }
}

import Foundation
import Manifests
import Testing

/// One broken manifest file and exactly the errors it must produce: line, column and code.
struct BadCase: Sendable, CustomTestStringConvertible {
    var label: String
    var yaml: String
    var expected: [Expectation]
    /// Extra files in the repository (path: contents); `data/ok.csv` always exists.
    var files: [String: String] = [:]
    /// Symbolic links in the repository (path: target).
    var links: [String: String] = [:]
    var options = LoadOptions(recursive: true)

    struct Expectation: Sendable, Hashable, CustomStringConvertible {
        var line: Int
        var column: Int
        var code: Diagnostic.Code
        /// Words the message must contain.
        var mentions: String?
        var description: String { "\(line):\(column) \(code)" + (mentions.map { " ~\"\($0)\"" } ?? "") }
    }

    var testDescription: String { label }

    init(
        _ label: String, _ yaml: String, _ expected: [(Int, Int, Diagnostic.Code, String?)],
        files: [String: String] = [:], links: [String: String] = [:], options: LoadOptions = LoadOptions(recursive: true)
    ) {
        self.label = label
        self.yaml = yaml
        self.expected = expected.map { Expectation(line: $0.0, column: $0.1, code: $0.2, mentions: $0.3) }
        self.files = files
        self.links = links
        self.options = options
    }
}

let header = "apiVersion: datapilot.io/v1alpha1\n"

/// A valid Dataset `churn` with a schema; lines 1-14.
let churn = """
    apiVersion: datapilot.io/v1alpha1
    kind: Dataset
    metadata:
      name: churn
    spec:
      owner: growth@example.com
      format: csv
      schema:
        columns:
          - name: customer_id
            type: string
            nullable: false
          - name: tenure
            type: integer
    """

/// A valid Experiment `exp`; lines 1-7 of its document.
let experiment = """
    apiVersion: datapilot.io/v1alpha1
    kind: Experiment
    metadata:
      name: exp
    spec:
      objective: {metric: auc, goal: maximize}
    """

func rule(_ checks: String, dataset: String = "churn") -> String {
    // The rule starts on line 16 after `churn` and its separator: spec on 20, dataset 21,
    // severity 22, checks 23, and the first check on line 24.
    churn + "\n---\n" + """
        apiVersion: datapilot.io/v1alpha1
        kind: QualityRule
        metadata:
          name: hygiene
        spec:
          dataset: \(dataset)
          severity: fail
          checks:
        \(checks)
        """
}

/// `churn` and a DatasetVersion of it whose spec ends with `source` (a line or a block, unindented);
/// the version's `dataset` is on line 20 and `source` starts on line 21.
func version(_ source: String, dataset: String = "churn") -> String {
    churn + "\n---\n" + """
        apiVersion: datapilot.io/v1alpha1
        kind: DatasetVersion
        metadata: {name: churn-1}
        spec:
          dataset: \(dataset)
        """ + "\n" + source.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
}

func run(_ spec: String) -> String {
    // The Run document starts on line 9; its spec fields on line 13.
    experiment + "\n---\n" + """
        apiVersion: datapilot.io/v1alpha1
        kind: Run
        metadata:
          name: r1
        spec:
          experiment: exp
        \(spec)
        """
}

let deepNesting =
    "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: deep}\nspec:\n  description: "
    + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "\n"

let aliasBomb = """
    apiVersion: datapilot.io/v1alpha1
    kind: Dataset
    metadata:
      name: lol
      annotations:
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
    spec: {owner: x, format: csv}
    """

let badCases: [BadCase] = [
    // MARK: envelope
    BadCase(
        "kind typo", churn.replacingOccurrences(of: "kind: Dataset", with: "kind: Datset"),
        [(2, 7, .unknownKind, "did you mean \"Dataset\"")]),
    BadCase(
        "kind in lower case", churn.replacingOccurrences(of: "kind: Dataset", with: "kind: dataset"),
        [(2, 7, .unknownKind, "did you mean \"Dataset\"")]),
    BadCase(
        "other apiVersion", churn.replacingOccurrences(of: "datapilot.io/v1alpha1", with: "datapilot.io/v1"),
        [(1, 13, .unsupportedAPIVersion, "datapilot.io/v1alpha1")]),
    BadCase(
        "no apiVersion", churn.replacingOccurrences(of: "apiVersion: datapilot.io/v1alpha1\n", with: ""),
        [(1, 1, .missingField, "apiVersion")]),
    BadCase(
        "no spec", "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: churn}\n",
        [(1, 1, .missingField, "spec")]),
    BadCase(
        "status is not for manifests", churn + "\nstatus: {phase: Ready}",
        [(15, 1, .unknownField, "written by the server")]),
    BadCase(
        "metadata misspelt", churn.replacingOccurrences(of: "metadata:", with: "metdata:"),
        [(1, 1, .missingField, "metadata"), (3, 1, .unknownField, "did you mean \"metadata\"")]),
    BadCase(
        "document is a list", "- apiVersion: datapilot.io/v1alpha1\n- kind: Dataset\n",
        [(1, 1, .notAMapping, "found a list")]),
    BadCase(
        "document is a string", "just some text\n",
        [(1, 1, .notAMapping, "the string")]),

    // MARK: metadata
    BadCase(
        "name with capitals and underscore", churn.replacingOccurrences(of: "name: churn", with: "name: Churn_Data"),
        [(4, 9, .invalidName, "DNS-1123")]),
    BadCase(
        "name too long", churn.replacingOccurrences(of: "name: churn", with: "name: " + String(repeating: "a", count: 254)),
        [(4, 9, .invalidName, "at most 253")]),
    BadCase(
        "name missing", churn.replacingOccurrences(of: "  name: churn", with: "  labels: {team: growth}"),
        [(4, 3, .missingField, "name")]),
    BadCase(
        "name empty", churn.replacingOccurrences(of: "name: churn", with: "name:"),
        [(4, 8, .missingField, "name")]),
    BadCase(
        "namespace is not a field", churn.replacingOccurrences(of: "  name: churn", with: "  name: churn\n  namespace: ml"),
        [(5, 3, .unknownField, "expected one of name, labels, annotations")]),
    BadCase(
        "label key starting with a dash",
        churn.replacingOccurrences(of: "  name: churn", with: "  name: churn\n  labels: {\"-team\": growth}"),
        [(5, 12, .invalidName, "label key")]),
    BadCase(
        "label value with a space",
        churn.replacingOccurrences(of: "  name: churn", with: "  name: churn\n  labels:\n    team: growth analytics"),
        [(6, 11, .invalidValue, "label value")]),
    BadCase(
        "annotation value is a number",
        churn.replacingOccurrences(of: "  name: churn", with: "  name: churn\n  annotations:\n    retries: 5"),
        [(6, 14, .wrongType, "quote it (\"5\")")]),

    // MARK: Dataset
    BadCase(
        "owner missing", churn.replacingOccurrences(of: "  owner: growth@example.com\n", with: ""),
        [(6, 3, .missingField, "\"owner\"")]),
    BadCase(
        "owner is a number", churn.replacingOccurrences(of: "owner: growth@example.com", with: "owner: 42"),
        [(6, 10, .wrongType, "found the number 42")]),
    BadCase(
        "format misspelt", churn.replacingOccurrences(of: "format: csv", with: "format: cvs"),
        [(7, 11, .invalidValue, "did you mean \"csv\"")]),
    BadCase(
        "field misspelt", churn.replacingOccurrences(of: "format: csv", with: "format: csv\n  descripton: x"),
        [(8, 3, .unknownField, "did you mean \"description\"")]),
    BadCase(
        "compression unknown", churn.replacingOccurrences(of: "format: csv", with: "format: csv\n  compression: zip"),
        [(8, 16, .invalidValue, "none, gzip")]),
    BadCase(
        "no columns", churn.components(separatedBy: "  schema:")[0] + "  schema: {columns: []}\n",
        [(8, 21, .invalidValue, "at least 1 item")]),
    BadCase(
        "column type unknown", churn.replacingOccurrences(of: "type: integer", with: "type: int"),
        [(14, 15, .invalidValue, "timestamp")]),
    BadCase(
        "column listed twice", churn.replacingOccurrences(of: "name: tenure", with: "name: customer_id"),
        [(9, 5, .invalidValue, "column \"customer_id\" appears more than once")]),
    BadCase(
        "nullable written as yes", churn.replacingOccurrences(of: "nullable: false", with: "nullable: yes"),
        [(12, 19, .wrongType, "true or false")]),
    BadCase(
        "spec is a list", "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: churn}\nspec: [owner]\n",
        [(4, 7, .wrongType, "expected a mapping, found a list")]),
    BadCase(
        "key is not a string", churn + "\n  ? [a, b]\n  : c",
        [(15, 5, .wrongType, "keys must be strings")]),

    // MARK: YAML itself
    BadCase(
        "unclosed flow mapping", "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: churn\nspec: {}\n",
        [(4, 5, .yamlSyntax, "did not find expected ',' or '}' (while parsing a flow mapping that started at line 3, column 11)")]),
    BadCase(
        "tab indentation", "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata:\n\tname: churn\n",
        [(4, 1, .yamlSyntax, "tab")]),
    BadCase(
        "duplicate key", churn.replacingOccurrences(of: "format: csv", with: "format: csv\n  format: jsonl"),
        [(8, 3, .duplicateKey, "first at line 7, column 3")]),
    BadCase(
        "undefined alias", churn.replacingOccurrences(of: "owner: growth@example.com", with: "owner: *nobody"),
        [(6, 10, .undefinedAlias, "*nobody")]),
    BadCase(
        "alias bomb", aliasBomb,
        [(10, 33, .limitExceeded, "alias bomb")]),
    BadCase(
        "nesting too deep", deepNesting,
        [(5, 78, .limitExceeded, "nesting deeper than 64")]),
    BadCase(
        "a 10 MB string",
        "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: big}\nspec:\n  owner: x\n  format: csv\n  description: "
            + String(repeating: "x", count: 10 << 20) + "\n",
        [(7, 16, .limitExceeded, "limit for one value")]),
    BadCase(
        "too many documents", String(repeating: "---\n", count: 5),
        [(4, 1, .limitExceeded, "more than 3 documents")],
        options: LoadOptions(recursive: true, limits: .init(maxDocuments: 3))),
    BadCase(
        "file too large", churn, [(1, 1, .limitExceeded, "split it")],
        options: LoadOptions(recursive: true, maxFileBytes: 100)),
    BadCase(
        "invalid UTF-8", churn.replacingOccurrences(of: "growth@example.com", with: "growth\u{FFFD}"),
        [(6, 17, .yamlSyntax, "invalid trailing UTF-8 octet")]),
    BadCase(
        "the same object twice", churn + "\n---\n" + churn,
        [(19, 9, .duplicateObject, "defined twice: here and at")]),

    // MARK: DatasetVersion
    BadCase(
        "version of an unknown dataset",
        version(
            """
            source: {path: ../data/ok.csv}
            """, dataset: "chrun"), [(20, 12, .unresolvedReference, "did you mean \"churn\"?); if it already exists on the server")]),
    BadCase(
        "path and url together",
        version(
            """
            source:
              path: ../data/ok.csv
              url: https://example.com/ok.csv
            """), [(22, 5, .invalidValue, "exactly one of path, url")]),
    BadCase(
        "url without sha256",
        version(
            """
            source:
              url: https://example.com/ok.csv
            """), [(22, 5, .invalidValue, "sha256 is required with url")]),
    BadCase(
        "sha256 in upper case",
        version(
            """
            source:
              url: https://example.com/ok.csv
              sha256: \(String(repeating: "AB", count: 32))
            """), [(23, 13, .invalidValue, "64 lowercase hexadecimal")]),
    BadCase(
        "path leaving the repository",
        version(
            """
            source: {path: ../../../etc/passwd}
            """), [(21, 18, .pathOutsideRepository, "outside the repository")]),
    BadCase(
        "absolute path",
        version(
            """
            source: {path: /etc/passwd}
            """), [(21, 18, .invalidValue, "relative path")]),
    BadCase(
        "symbolic link out of the repository",
        version(
            """
            source: {path: ../data/passwd.csv}
            """), [(21, 18, .pathOutsideRepository, "symbolic link to /etc/passwd")], links: ["data/passwd.csv": "/etc/passwd"]),
    BadCase(
        "data file missing",
        version(
            """
            source: {path: ../data/nope.csv}
            """), [(21, 18, .fileNotFound, "data/nope.csv")]),
    BadCase(
        "data path is a folder",
        version(
            """
            source: {path: ../data}
            """), [(21, 18, .invalidValue, "not a regular file")]),

    // MARK: QualityRule
    BadCase(
        "no checks", rule("    []").replacingOccurrences(of: "checks:\n    []", with: "checks: []"),
        [(23, 11, .invalidValue, "at least 1 item")]),
    BadCase(
        "check with two types", rule("    - rowCount: {min: 1}\n      unique: {columns: [customer_id]}"),
        [(24, 7, .invalidValue, "found rowCount and unique")]),
    BadCase(
        "check with no type", rule("    - name: lonely"),
        [(24, 7, .invalidValue, "none was given")]),
    BadCase(
        "check type misspelt", rule("    - uniqe: {columns: [customer_id]}"),
        [(24, 7, .invalidValue, "none was given"), (24, 7, .unknownField, "did you mean \"unique\"")]),
    BadCase(
        "threshold over 100%", rule("    - missing: {column: tenure, threshold: \"150%\"}"),
        [(24, 44, .invalidValue, "over 100%")]),
    BadCase(
        "negative threshold", rule("    - missing: {column: tenure, threshold: -1}"),
        [(24, 44, .wrongType, "whole number of rows")]),
    BadCase(
        "rowCount min above max", rule("    - rowCount: {min: 10, max: 5}"),
        [(24, 17, .invalidValue, "min (10) is greater than max (5)")]),
    BadCase(
        "range without bounds", rule("    - range: {column: tenure}"),
        [(24, 14, .missingField, "at least one of min, max")]),
    BadCase(
        "regex that does not compile", rule("    - regex: {column: customer_id, pattern: \"([a-z\"}"),
        [(24, 45, .invalidValue, "not a valid regular expression")]),
    BadCase(
        "column not in the dataset", rule("    - missing: {column: tenur}"),
        [(24, 25, .unknownColumn, "did you mean \"tenure\"")]),
    BadCase(
        "freshness in words", rule("    - freshness: {column: tenure, maxAge: 3 days}"),
        [(24, 43, .invalidValue, "duration")]),
    BadCase(
        "severity error", rule("    - rowCount: {min: 1}").replacingOccurrences(of: "severity: fail", with: "severity: error"),
        [(22, 13, .invalidValue, "warn, fail")]),
    BadCase(
        "two checks with one name", rule("    - {name: rows, rowCount: {min: 1}}\n    - {name: rows, rowCount: {max: 9}}"),
        [(21, 3, .invalidValue, "check name \"rows\" appears more than once")]),
    BadCase(
        "rule for an unknown dataset", rule("    - rowCount: {min: 1}", dataset: "sales"),
        [(21, 12, .unresolvedReference, "Dataset \"sales\" is not defined")]),

    // MARK: Experiment and Run
    BadCase(
        "goal misspelt", experiment.replacingOccurrences(of: "goal: maximize", with: "goal: maximise"),
        [(6, 34, .invalidValue, "did you mean \"maximize\"")]),
    BadCase(
        "short commit id", run("  code: {repository: https://github.com/acme/m, commit: 3f1c0e5}"),
        [(14, 57, .invalidValue, "40 lowercase hexadecimal")]),
    BadCase(
        "digest without algorithm", run("  image: {reference: ghcr.io/acme/train:1, digest: \(String(repeating: "a", count: 64))}"),
        [(14, 52, .invalidValue, "\"sha256:\"")]),
    BadCase(
        "run of an unknown experiment", run("").replacingOccurrences(of: "experiment: exp", with: "experiment: expt"),
        [(13, 15, .unresolvedReference, "did you mean \"exp\"")]),
    BadCase(
        "input version not defined", run("  inputs:\n    - datasetVersion: churn-9"),
        [(15, 23, .unresolvedReference, "DatasetVersion \"churn-9\"")]),
    BadCase(
        "empty input item", run("  inputs:\n    -"),
        [(15, 6, .wrongType, "empty item")]),
    BadCase(
        "nested params", run("  params:\n    optimizer: {name: adam}"),
        [(15, 16, .wrongType, "a string, number or boolean")]),
    BadCase(
        "execute quoted", run("  execute: \"true\""),
        [(14, 12, .wrongType, "write it without quotes")]),
    BadCase(
        "command as one string", run("  command: python3 train.py"),
        [(14, 12, .wrongType, "expected a list")]),
]

@Suite struct BadManifestTests {
    @Test(arguments: badCases)
    func rejectsWithPosition(_ bad: BadCase) throws {
        let repository = try TemporaryRepository()
        try repository.write("data/ok.csv", "customer_id,tenure\na,1\n")
        for (path, contents) in bad.files { try repository.write(path, contents) }
        for (path, target) in bad.links { try repository.symlink(path, to: target) }
        let bytes: Data
        if bad.label == "invalid UTF-8" {
            bytes = Data(bad.yaml.utf8).replacing(Data("\u{FFFD}".utf8), with: Data([0xC3, 0x28]))
        } else {
            bytes = Data(bad.yaml.utf8)
        }
        let file = try repository.write("manifests/case.yaml", bytes)
        let set = repository.load(["manifests"], options: bad.options)

        #expect(!set.isValid, "a bad manifest must make the set invalid")
        let errors = set.errors
        #expect(errors.allSatisfy { $0.file == file }, "every error names the file: \(errors.map(\.file))")
        let found = errors.map { BadCase.Expectation(line: $0.line, column: $0.column, code: $0.code) }
        let wanted = bad.expected.map { BadCase.Expectation(line: $0.line, column: $0.column, code: $0.code) }
        #expect(found == wanted, "got:\n\(errors.map(\.formatted).joined(separator: "\n"))")
        for (expectation, error) in zip(bad.expected, errors) {
            if let words = expectation.mentions {
                #expect(error.message.contains(words), "message \"\(error.message)\" should mention \"\(words)\"")
            }
        }
    }

    @Test func tableIsLargeEnough() {
        #expect(badCases.count >= 40)
    }

    @Test func allErrorsAreReportedNotJustTheFirst() throws {
        let repository = try TemporaryRepository()
        let text = churn.replacingOccurrences(of: "format: csv", with: "format: cvs")
            .replacingOccurrences(of: "name: churn", with: "name: Churn")
            .replacingOccurrences(of: "type: integer", with: "type: int")
        try repository.write("m.yaml", text + "\n---\n" + text.replacingOccurrences(of: "kind: Dataset", with: "kind: Datset"))
        let set = repository.load(["m.yaml"])
        #expect(set.errors.map(\.line) == [4, 7, 14, 17, 19])
    }

    @Test func externalReferencesCanBeAllowed() throws {
        let repository = try TemporaryRepository()
        try repository.write("m.yaml", rule("    - rowCount: {min: 1}", dataset: "sales"))
        let set = repository.load(["m.yaml"], options: LoadOptions(allowExternalReferences: true))
        #expect(set.isValid)
        #expect(set.warnings.map(\.code) == [.unresolvedReference])
        #expect(set.warnings.first?.message.contains("must already exist on the server") == true)
    }

    @Test func aMissingPathIsReported() {
        let set = ManifestLoader().load([.path("/nonexistent/manifests")])
        #expect(set.errors.map(\.code) == [.fileNotFound])
        #expect(set.errors.first?.file == "/nonexistent/manifests")
    }
}

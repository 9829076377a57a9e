import APIModel
import Manifests
import SyncEngine

/// How an object differs between the base and the head commit.
public enum ManifestChangeKind: String, Sendable, Hashable {
    case added, changed, removed, renamed
}

/// What a reviewer must see before merging.
public struct ReviewFinding: Sendable, Hashable {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }
        /// The merge would delete a live object.
        public static let prune = Code(rawValue: "prune")
        /// The server would refuse the object (an immutable version changed, a protected prune...).
        public static let refused = Code(rawValue: "refused")
        /// The object is in another apply set's inventory: two sources would fight over it.
        public static let otherApplySet = Code(rawValue: "otherApplySet")
        /// More deletes than the reconciler's --max-deletes: the sync would refuse to run.
        public static let deleteThreshold = Code(rawValue: "deleteThreshold")
        /// A fail-severity quality check failed on the new data.
        public static let qualityFailed = Code(rawValue: "qualityFailed")
        /// A check warned, errored, or the data could not be evaluated.
        public static let quality = Code(rawValue: "quality")
        /// A Run's execute, command, image or code is new or changed: code will run. Shown first.
        public static let privileged = Code(rawValue: "privileged")
        /// A new or changed QualityRule fails fail-severity checks on its dataset's live version:
        /// the merge would quarantine data already in use.
        public static let ruleWouldQuarantine = Code(rawValue: "ruleWouldQuarantine")
        /// A version's `spec.source.url` is outside the URL allowlist: not fetched, and the server
        /// would refuse to register it.
        public static let urlNotAllowed = Code(rawValue: "urlNotAllowed")
    }

    public var code: Code
    public var message: String
    /// Blocking findings make the plan exit 2.
    public var blocking: Bool

    public init(_ code: Code, _ message: String, blocking: Bool) {
        self.code = code
        self.message = message
        self.blocking = blocking
    }
}

/// The quality checks run on one version's data, or one changed rule's checks run on its
/// dataset's live version on the server.
public struct QualityResult: Sendable, Hashable {
    public var evaluated: Bool
    public var findings: [QualityFinding]
    /// Why nothing (or not everything) was evaluated.
    public var note: String?
    /// For a QualityRule: the live DatasetVersion on the server its checks ran on.
    public var liveVersion: String?
    /// What the reviewer must see when nothing was evaluated; nil: the note, as a warning.
    public var problem: ReviewFinding?

    public init(evaluated: Bool, findings: [QualityFinding], note: String?, liveVersion: String? = nil, problem: ReviewFinding? = nil) {
        self.evaluated = evaluated
        self.findings = findings
        self.note = note
        self.liveVersion = liveVersion
        self.problem = problem
    }
}

/// What the merge would do on the live server to one object.
public struct LiveChange: Sendable {
    public var outcome: ApplyOutcome
    public var changes: [JSONChange]
    public var message: String?
    /// Live against desired, as `dpctl diff` prints it.
    public var diff: String
}

/// One object in the plan: its manifest change between base and head, what the merge would do
/// to it on the server, what a reviewer must see, and its quality results.
public struct PlanObject: Sendable {
    public var ref: ObjectRef
    public var change: ManifestChangeKind?
    public var renamedFrom: ObjectRef?
    /// The manifest's unified diff, base to head (empty when unchanged in git).
    public var diff: String
    public var live: LiveChange?
    public var findings: [ReviewFinding]
    public var quality: QualityResult?
    /// Where its manifest is: in the head commit, or in the base for a removed object; nil
    /// for an object only the server has.
    public var origin: ManifestOrigin?

    public init(ref: ObjectRef) {
        self.ref = ref
        origin = nil
        change = nil
        renamedFrom = nil
        diff = ""
        live = nil
        findings = []
        quality = nil
    }

    public var hasWarnings: Bool { !findings.isEmpty }
    public var isBlocking: Bool { findings.contains(where: \.blocking) }
}

/// A commit as the report names it.
public struct PlanCommit: Sendable, Hashable {
    public var id: String
    public var summary: String
    public var author: String

    public init(id: String, summary: String, author: String) {
        self.id = id
        self.summary = summary
        self.author = author
    }

    public var short: String { String(id.prefix(12)) }
}

/// `dpctl plan`'s report on a pull request: base and head commits, the head's validation,
/// every object the merge touches (in git or on the server), and plan-wide findings.
public struct PlanReport: Sendable {
    public var base: PlanCommit
    public var head: PlanCommit
    /// The manifests' folder in the repository.
    public var path: String
    /// The server planned against; nil when only the manifests were compared.
    public var server: String?
    public var applySet: String?
    /// The head commit's validation errors (file:line:column); a non-empty list is an error.
    public var errors: [Diagnostic]
    public var objects: [PlanObject]
    /// Objects in the head commit that neither git nor the server changes.
    public var unchanged: Int
    /// Findings about the plan as a whole (deletes over the threshold).
    public var findings: [ReviewFinding]

    public init(base: PlanCommit, head: PlanCommit, path: String, server: String?, applySet: String?) {
        self.base = base
        self.head = head
        self.path = path
        self.server = server
        self.applySet = applySet
        errors = []
        objects = []
        unchanged = 0
        findings = []
    }

    /// Every finding, privileged ones (code that will run) first.
    public var allFindings: [ReviewFinding] {
        let all = findings + objects.flatMap(\.findings)
        return all.filter { $0.code == .privileged } + all.filter { $0.code != .privileged }
    }
    public var isBlocking: Bool { !errors.isEmpty || allFindings.contains(where: \.blocking) }
    public var hasChanges: Bool {
        objects.contains { $0.change != nil || ($0.live.map { $0.outcome != .unchanged } ?? false) }
    }

    /// As `dpctl diff`: 0 nothing would change, 1 something would, 2 an error or a blocking finding.
    public var exitCode: Int32 { isBlocking ? 2 : hasChanges ? 1 : 0 }

    public func count(_ change: ManifestChangeKind) -> Int { objects.filter { $0.change == change }.count }
    public func count(_ outcome: ApplyOutcome) -> Int { objects.filter { $0.live?.outcome == outcome }.count }
}

import APIClient
import URLPolicy

/// What `dpctl plan` is asked: two revisions of a local repository, the manifests' folder,
/// and optionally the server (and apply set) to plan against.
public struct PlanRequest: Sendable {
    public var repository: String
    public var base: String
    public var head: String
    /// The manifests' folder inside the repository ("" for the root).
    public var path: String
    public var client: APIClient?
    public var server: String?
    /// The apply set the merge will be applied as (the reconciler's source name).
    public var applySet: String?
    public var prune: Bool
    /// The reconciler's --max-deletes: more planned deletes are a blocking finding.
    public var maxDeletes: Int
    public var gate: any QualityGate
    /// Where data files are exported for the quality gate.
    public var scratch: String
    /// Which URLs versions given by `spec.source.url` may be fetched from (the server's
    /// `external-url-allow`; its default unless told).
    public var urlPolicy = ExternalURLPolicy.standard
    /// The largest download of a URL version.
    public var maxURLBytes: Int64 = 1 << 30

    public init(
        repository: String, base: String, head: String, path: String = "", client: APIClient? = nil, server: String? = nil,
        applySet: String? = nil, prune: Bool = false, maxDeletes: Int = 10, gate: any QualityGate = QualityGates.standard,
        scratch: String
    ) {
        self.repository = repository
        self.base = base
        self.head = head
        self.path = path
        self.client = client
        self.server = server
        self.applySet = applySet
        self.prune = prune
        self.maxDeletes = maxDeletes
        self.gate = gate
        self.scratch = scratch
    }
}

/// Why no plan could be made; nothing was written anywhere.
public struct PullRequestPlanError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable {
        let raw: String
        public static let repository = Code(raw: "repository")
        public static let revision = Code(raw: "revision")
        public static let server = Code(raw: "server")
    }

    public var code: Code
    public var description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

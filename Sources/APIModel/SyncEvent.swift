import Manifests

/// `POST /api/audit/syncs`: one sync of a git source, recorded as the audit event `sync` on
/// `source/<name>`. The reconciler sends it after each sync that reached a commit.
public struct SyncEvent: WireBody, Hashable {
    /// The source's name (a DNS subdomain).
    public var source: String
    /// The full 40-character commit id.
    public var commit: String
    public var result: SyncOutcome
    public var repository: String?
    /// `Name <email>` of the commit's author.
    public var author: String?
    /// The commit message.
    public var message: String?
    /// What failed, file:line first where the commit was invalid.
    public var error: String?
    /// Objects by what the sync did to them: `{"created": 2, "unchanged": 12}`.
    public var counts: [String: Int]?
    /// Who signed the commit and with which key, when the source verifies signatures (`verify:`)
    /// and the signature is trusted: `Name <email> (GPG key FINGERPRINT)`, `principal (SSH key ED25519 SHA256:...)`.
    public var signer: String?
    /// How the applied objects were doing when the sync was recorded (synced commits).
    public var health: HealthState?
    /// What is not Healthy, in one line.
    public var healthMessage: String?

    public static let maxText = 8192
    public static let maxSourceText = 512
    public static let maxCounts = 16
    public static let route = "/api/audit/syncs"

    public init(
        source: String, commit: String, result: SyncOutcome, repository: String? = nil, author: String? = nil,
        message: String? = nil, error: String? = nil, counts: [String: Int]? = nil, signer: String? = nil,
        health: HealthState? = nil, healthMessage: String? = nil
    ) {
        self.health = health
        self.healthMessage = healthMessage.map { clipped($0, toUTF8Bytes: Self.maxSourceText) }
        self.source = source
        self.commit = commit
        self.result = result.audited
        self.repository = repository.map { clipped($0, toUTF8Bytes: Self.maxSourceText) }
        self.author = author.map { clipped($0, toUTF8Bytes: Self.maxSourceText) }
        self.message = message.map { clipped($0, toUTF8Bytes: Self.maxText) }
        self.error = error.map { clipped($0, toUTF8Bytes: Self.maxText) }
        self.counts = counts
        self.signer = signer.map { clipped($0, toUTF8Bytes: Self.maxSourceText) }
    }

    public func validate() throws(BodyError) {
        guard StringFormat.dnsSubdomain.accepts(source) else {
            throw BodyError("source", "the source's name, \(StringFormat.dnsSubdomain.expectation)")
        }
        guard commit.count == 40, commit.allSatisfy(\.isHexDigit) else { throw BodyError("commit", "a full 40-character commit id") }
        guard SyncOutcome.recordedInAudit.contains(result) else {
            throw BodyError("result", "one of \(SyncOutcome.recordedInAudit.map(\.rawValue).joined(separator: ", "))")
        }
        for (field, text) in [("message", message), ("error", error)] where (text?.utf8.count ?? 0) > Self.maxText {
            throw BodyError(field, "a string of at most 8 KiB")
        }
        for (field, text) in [("repository", repository), ("author", author), ("signer", signer), ("healthMessage", healthMessage)]
        where (text?.utf8.count ?? 0) > Self.maxSourceText {
            throw BodyError(field, "a string of at most \(Self.maxSourceText) bytes")
        }
        if let counts, counts.count > Self.maxCounts || counts.values.contains(where: { $0 < 0 }) {
            throw BodyError("counts", "an object of non-negative integers, e.g. {\"created\": 2, \"unchanged\": 12}")
        }
    }
}

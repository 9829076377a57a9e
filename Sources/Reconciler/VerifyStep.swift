import GitSource
import Logging

extension SourceWorker {
    /// The `verify:` gate, before anything of a commit is used. Nil when the source does not verify
    /// signatures, or when the commit is signed by a trusted key (then `snapshot.signer` names who).
    /// Otherwise the result that ends the sync: `invalid` when the commit is refused (unsigned,
    /// an unknown key, a bad signature; not retried until the ref moves), `failed` when the check
    /// could not run (retried).
    func verifySignature(_ snapshot: inout CommitSnapshot) async -> SyncResult? {
        guard let verification = configuration.verify else { return nil }
        switch await signatureVerdict(snapshot.commit, verification) {
        case .success(.trusted(let signer)):
            snapshot.signer = signer
            return nil
        case .success(.refused(let why)):
            logger.error(
                "commit is not signed by a trusted key; nothing applied, the last good commit stays",
                metadata: ["commit": .string(snapshot.commit), "reason": .string(why)])
            lastInvalid = snapshot.commit
            return SyncResult(outcome: .invalid, error: why, snapshot: snapshot)
        case .failure(let error):
            var result = failure(error)
            result.snapshot = snapshot
            return result
        }
    }

    /// Whether a drift scan may heal towards `snapshot`: its signature is still trusted (the
    /// applied commit may predate `verify:`, or its signer may have been removed since).
    func signatureTrusted(_ snapshot: CommitSnapshot) async -> Bool {
        guard let verification = configuration.verify else { return true }
        if case .success(.trusted) = await signatureVerdict(snapshot.commit, verification) { return true }
        return false
    }

    func signatureVerdict(_ commit: String, _ verification: CommitVerification) async -> Result<SignatureVerdict, any Error> {
        do {
            let signature = try await source.signature(commit: commit)
            return .success(try await verification.verdict(on: signature, commit: commit))
        } catch let error as VerificationError {
            logger.error("cannot check the commit's signature: \(error.description)", metadata: ["commit": .string(commit)])
            return .failure(VerificationError("cannot check the signature of commit \(commit.prefix(12)): \(error.description)"))
        } catch {
            return .failure(error)
        }
    }
}

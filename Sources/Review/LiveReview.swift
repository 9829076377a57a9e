import APIClient
import APIModel
import GitSource
import Manifests
import SyncEngine

/// The head commit planned against the live server through `Sync` in client dry-run mode, the
/// way the reconciler would apply it after the merge, and the findings a reviewer must see:
/// prunes, refusals, deletes over the threshold, objects another apply set manages.
struct LiveReview {
    let request: PlanRequest
    let client: APIClient
    let desired: [Manifest]
    let head: Snapshot

    func review(into objects: inout [ObjectRef: PlanObject], report: inout PlanReport) async throws(PullRequestPlanError) {
        let sync = SyncRequest(
            manifests: desired, applySet: request.applySet, prune: request.prune, maxDeletes: .max, dryRun: .client,
            source: SourceInfo(repository: "file://" + request.repository, commit: head.commit.id, tool: "dpctl plan"),
            content: GitContent(snapshot: head))
        let result: SyncReport
        do {
            result = try await Sync(client: client).run(sync)
        } catch {
            throw PullRequestPlanError(.server, "cannot plan against \(request.server ?? "the server"): \(error.description)")
        }
        let outcomes = Dictionary(result.results.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        for item in result.plan.items {
            let outcome = outcomes[item.ref]?.outcome ?? .unchanged
            guard outcome != .unchanged || objects[item.ref] != nil else { continue }
            var object = objects[item.ref] ?? PlanObject(ref: item.ref)
            let diff = UnifiedDiff.render(
                old: item.liveForm.map(YAMLEmitter.emit) ?? "", new: item.desiredForm.map(YAMLEmitter.emit) ?? "",
                oldName: "live/\(item.ref)", newName: "desired/\(item.ref)")
            object.live = LiveChange(
                outcome: outcome, changes: item.changes, message: item.reason, diff: item.action == .delete ? "" : diff)
            switch item.action {
            case .delete:
                object.findings.append(
                    ReviewFinding(
                        .prune,
                        "the merge deletes \(item.ref) from the server (it left the manifests of apply set \(request.applySet ?? "?"))",
                        blocking: false))
            case .refused:
                object.findings.append(ReviewFinding(.refused, item.reason ?? "the server would refuse this object", blocking: true))
            default:
                break
            }
            objects[item.ref] = object
        }
        let deletes = result.plan.count(.delete)
        if request.prune, deletes > request.maxDeletes {
            report.findings.append(
                ReviewFinding(
                    .deleteThreshold,
                    "the merge would prune \(deletes) objects, more than the limit of \(request.maxDeletes): the sync would refuse to run; raise max-deletes for this source if that is intended",
                    blocking: true))
        }
        if let applySet = request.applySet {
            try await otherOwners(applySet: applySet, into: &objects)
        }
    }

    /// Desired objects listed in the inventory of an apply set other than ours.
    func otherOwners(applySet: String, into objects: inout [ObjectRef: PlanObject]) async throws(PullRequestPlanError) {
        let sets: [JSONValue]
        do {
            sets = try await client.list(APIPath.applySets())
        } catch let error as APIError {
            throw PullRequestPlanError(.server, "cannot list apply sets on \(request.server ?? "the server"): \(error.message)")
        } catch {
            throw PullRequestPlanError(.server, "cannot list apply sets: \(error)")
        }
        let wanted = Set(desired.map(\.ref))
        for set in sets {
            guard let name = set["metadata"]?["name"]?.stringValue, name != applySet else { continue }
            for member in set["members"]?.arrayValue ?? [] {
                guard let ref = member.stringValue.flatMap(ObjectRef.init), wanted.contains(ref) else { continue }
                var object = objects[ref] ?? PlanObject(ref: ref)
                object.findings.append(
                    ReviewFinding(
                        .otherApplySet,
                        "\(ref) is managed by apply set \"\(name)\" too: two sources would overwrite each other's changes", blocking: false)
                )
                objects[ref] = object
            }
        }
    }
}

import APIModel
import Logging
import Manifests
import SyncEngine

extension SourceWorker {
    /// Compares the live state with the applied commit: heals the objects whose mode is heal,
    /// records new drift and every heal in the audit log, and updates the drift metrics.
    func scanDrift(_ snapshot: CommitSnapshot) async {
        let start = ContinuousClock.now
        defer { metrics.driftScanDuration(configuration.name, ContinuousClock.now - start) }
        let request = DriftRequest(
            manifests: snapshot.manifests.manifests, applySet: configuration.name, defaultMode: configuration.drift,
            heal: false, source: appliedSource?.commit == snapshot.commit ? appliedSource! : provenance(snapshot),
            scope: "source \(configuration.name)", content: snapshot.content)
        var report: DriftReport
        do {
            report = try await client.scanDrift(request)
        } catch {
            logger.error("drift scan failed: \(error)")
            return
        }
        // The scan compared every object with the commit applied last: the next commit can be
        // synced incrementally against it (after a restart or a takeover too, when nothing of
        // this process's own syncs is known).
        if snapshot.commit == lastApplied, applied?.commit != snapshot.commit { applied = AppliedObjects(snapshot) }
        let desired = desiredBy(snapshot, request.source)
        // Detected first, then healed: the audit log reads in the order things happened.
        for item in report.items where reportedDrift[item.ref] != item.signature {
            await recordDrift(item, event: .detected, commit: snapshot.commit, desiredBy: desired[item.ref])
        }
        report.items = await client.heal(report.items, source: request.source)
        metrics.drifted(configuration.name, report.items.count)
        metrics.healed(configuration.name, report.healedCount)
        var seen: [ObjectRef: String] = [:]
        for item in report.items {
            if item.healed == true {
                await recordDrift(item, event: .healed, commit: snapshot.commit, desiredBy: desired[item.ref])
            } else {
                seen[item.ref] = item.signature
            }
        }
        reportedDrift = seen
        for warning in report.warnings { logger.warning("drift: \(warning)") }
        if !report.items.isEmpty {
            logger.info(
                "drift",
                metadata: [
                    "commit": .string(snapshot.commit), "drifted": .string("\(report.items.count)"),
                    "healed": .string("\(report.healedCount)"),
                    "objects": .string(report.items.prefix(10).map { "\($0.ref)" }.joined(separator: ",")),
                ])
        }
    }

    /// `POST /api/audit/drift`: one event on the object.
    func recordDrift(_ item: DriftItem, event: DriftEvent.Event, commit: String, desiredBy: DriftEvent.DesiredBy? = nil) async {
        notifyDrift(item, event: event, commit: commit)
        let change = item.lastChange.map { DriftEvent.Change(actor: $0.actor, time: $0.time, action: $0.action, requestID: $0.requestID) }
        let body = DriftEvent(
            source: configuration.name, event: event, object: item.ref, drift: item.kind, commit: commit,
            repository: configuration.spec.url, fields: item.fields, changedBy: change, desiredBy: desiredBy)
        do {
            try await client.postEvent(DriftEvent.route, body)
        } catch {
            logger.warning("cannot record drift of \(item.ref) in the audit log: \(error)")
        }
    }

    /// Who wrote each object's desired state, as the sync that applied the commit attributed
    /// its manifest file; empty when this process did not apply the commit.
    func desiredBy(_ snapshot: CommitSnapshot, _ source: SourceInfo) -> [ObjectRef: DriftEvent.DesiredBy] {
        var desired: [ObjectRef: DriftEvent.DesiredBy] = [:]
        for manifest in snapshot.manifests.manifests {
            guard let file = source.files[manifest.origin.file] else { continue }
            desired[manifest.ref] = DriftEvent.DesiredBy(commit: file.commit, author: file.author, merge: file.merge)
        }
        return desired
    }
}

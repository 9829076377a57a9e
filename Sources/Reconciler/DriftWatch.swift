import Logging
import Manifests
import Reconcile

extension SourceWorker {
    /// Compares the live state with the applied commit: heals the objects whose mode is heal,
    /// records new drift and every heal in the audit log, and updates the drift metrics.
    func scanDrift(_ snapshot: CommitSnapshot) async {
        let request = DriftRequest(manifests: snapshot.manifests.manifests, applySet: configuration.name, defaultMode: configuration.drift,
                                   heal: false, source: provenance(snapshot), scope: "source \(configuration.name)", content: snapshot.content)
        var report: DriftReport
        do {
            report = try await client.scanDrift(request)
        } catch {
            logger.error("drift scan failed: \(error)")
            return
        }
        // Detected first, then healed: the audit log reads in the order things happened.
        for item in report.items where reportedDrift[item.ref] != item.signature {
            await recordDrift(item, event: "detected", commit: snapshot.commit)
        }
        report.items = await client.heal(report.items, source: request.source)
        metrics.drifted(configuration.name, report.items.count)
        metrics.healed(configuration.name, report.healedCount)
        var seen: [ObjectRef: String] = [:]
        for item in report.items {
            if item.healed == true {
                await recordDrift(item, event: "healed", commit: snapshot.commit)
            } else {
                seen[item.ref] = item.signature
            }
        }
        reportedDrift = seen
        for warning in report.warnings { logger.warning("drift: \(warning)") }
        if !report.items.isEmpty {
            logger.info("drift", metadata: [
                "commit": .string(snapshot.commit), "drifted": .string("\(report.items.count)"), "healed": .string("\(report.healedCount)"),
                "objects": .string(report.items.prefix(10).map { "\($0.ref)" }.joined(separator: ",")),
            ])
        }
    }

    /// `POST /api/audit/drift`: one event on the object.
    func recordDrift(_ item: DriftItem, event: String, commit: String) async {
        var members = [JSONMember("source", .string(configuration.name)), JSONMember("event", .string(event)),
                       JSONMember("object", .string(item.ref.description)), JSONMember("drift", .string(item.kind.rawValue)),
                       JSONMember("commit", .string(commit)), JSONMember("repository", .string(configuration.spec.url))]
        let fields = item.fields.prefix(200).map { field -> JSONValue in
            var entry = [JSONMember("path", .string(field.path))]
            if let desired = field.desired { entry.append(JSONMember("desired", desired)) }
            if let live = field.live { entry.append(JSONMember("live", live)) }
            return .object(entry)
        }
        if !fields.isEmpty { members.append(JSONMember("fields", .array(Array(fields)))) }
        if let change = item.lastChange {
            members.append(JSONMember("changedBy", .object([
                JSONMember("actor", .string(change.actor)), JSONMember("time", .string(change.time)),
                JSONMember("action", .string(change.action)), JSONMember("requestId", .string(change.requestID)),
            ])))
        }
        do {
            try await client.postEvent("/api/audit/drift", .object(members))
        } catch {
            logger.warning("cannot record drift of \(item.ref) in the audit log: \(error)")
        }
    }
}

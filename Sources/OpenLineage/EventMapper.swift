import Manifests
import Postgres

/// Turns an audit event into OpenLineage run events, reading what the event does not carry
/// (a run's uid and inputs, an evaluation's checks, the objects a commit changed) in the feed's
/// transaction:
///
/// | audit event | job | events |
/// | --- | --- | --- |
/// | `state` on `run/R` | `experiment.<experiment>` | RUNNING: START; SUCCEEDED: COMPLETE; FAILED, LOST: FAIL; CANCELLED: ABORT |
/// | `evaluate` on `datasetversion/V` | `quality.<dataset>` | START and COMPLETE (the checks as assertions on the input) |
/// | `quarantine` of V by an evaluation that could not run | `quality.<dataset>` | START and FAIL (its error) |
/// | `sync` on `source/S` | `sync.<source>` | COMPLETE when synced, else FAIL; outputs: the datasets the commit changed |
struct EventMapper: Sendable {
    var namespace: String
    var publicURL: String

    func events(for entry: AuditFeed.Entry, on connection: Connection) throws -> [RunEvent] {
        guard let slash = entry.resource.firstIndex(of: "/") else { return [] }
        let kind = entry.resource[..<slash]
        let name = String(entry.resource[entry.resource.index(after: slash)...])
        switch (entry.action, kind) {
        case ("state", "run"): return try runEvent(name, entry, on: connection).map { [$0] } ?? []
        case ("evaluate", "datasetversion"), ("quarantine", "datasetversion"): return try evaluationEvents(entry, on: connection)
        case ("sync", "source"): return try [syncEvent(name, entry, on: connection)]
        default: return []
        }
    }

    // MARK: runs

    static func eventType(forRunState state: String) -> RunEvent.EventType? {
        switch state {
        case "RUNNING": .start
        case "SUCCEEDED": .complete
        case "FAILED", "LOST": .fail
        case "CANCELLED": .abort
        default: nil
        }
    }

    func runEvent(_ run: String, _ entry: AuditFeed.Entry, on connection: Connection) throws -> RunEvent? {
        guard let state = entry.changes["/state"]?.stringValue, let type = Self.eventType(forRunState: state) else { return nil }
        let row = try connection.query(
            "select uid::text as uid, spec::text as spec, inputs::text as inputs, state_message from runs where name = $1", [run]
        ).first
        let spec = AuditFeed.parse(row?["spec"])
        let uid = row?["uid"]
        var runFacets = [DataPilotObjectFacet.member(kind: "Run", name: run, uid: uid, publicURL: publicURL)]
        if type == .fail { runFacets.append(Facets.error(entry.changes["/message"]?.stringValue ?? row?["state_message"] ?? state)) }
        var jobFacets = [Facets.jobType("RUN")]
        if let repository = spec["code"]?["repository"]?.stringValue, let commit = spec["code"]?["commit"]?.stringValue,
            let facet = Facets.sourceCode(repository: repository, commit: commit, path: nil)
        {
            jobFacets.append(facet)
        } else if let facet = try gitSource(of: "run/\(run)", on: connection) {
            jobFacets.append(facet)
        }
        var inputs: [RunEvent.Dataset] = []
        for input in AuditFeed.parse(row?["inputs"]).arrayValue ?? [] {
            guard let version = input["datasetVersion"]?.stringValue, let dataset = input["dataset"]?.stringValue else { continue }
            inputs.append(try datasetVersion(version, of: dataset, on: connection))
        }
        return RunEvent(
            eventType: type, eventTime: entry.time, runID: uid ?? NameUUID.make("run/\(run)"), runFacets: runFacets,
            jobNamespace: namespace, jobName: "experiment.\(spec["experiment"]?.stringValue ?? run)", jobFacets: jobFacets, inputs: inputs)
    }

    /// The commit a run's manifest was applied from (the newest audit event on it with asserted provenance).
    func gitSource(of resource: String, on connection: Connection) throws -> JSONMember? {
        let row = try connection.query(
            """
            select source::text as source from audit_events where resource = $1 and source ? 'commit' and source ? 'repository'
            order by position desc limit 1
            """, [resource]
        ).first
        let source = AuditFeed.parse(row?["source"])
        guard let repository = source["repository"]?.stringValue, let commit = source["commit"]?.stringValue else { return nil }
        return Facets.sourceCode(repository: repository, commit: commit, path: source["path"]?.stringValue)
    }

    // MARK: evaluations

    func evaluationEvents(_ entry: AuditFeed.Entry, on connection: Connection) throws -> [RunEvent] {
        guard let id = entry.changes["/evaluation"]?.stringValue,
            let row = try connection.query(
                """
                select dataset, dataset_version, state, error, summary::text as summary, \(SQLTime.utc("created_at")),
                    \(SQLTime.utc("finished_at"))
                from evaluations where id = $1
                """, [id]
            ).first, let dataset = row["dataset"], let version = row["dataset_version"]
        else { return [] }
        // A quarantine speaks for an evaluation only when the evaluation itself failed (else `evaluate` did).
        let failed = row["state"] == "ERROR"
        guard failed == (entry.action == "quarantine") else { return [] }
        let checks = AuditFeed.parse(row["summary"])["checks"]?.arrayValue ?? []
        var input = try datasetVersion(version, of: dataset, on: connection)
        input.inputFacets = [Facets.assertions(checks: checks)]
        let runID = NameUUID.make("evaluation/\(id)")
        let facets = [DataPilotObjectFacet.member(kind: "Evaluation", name: id, uid: nil, publicURL: publicURL)]
        let job = "quality.\(dataset)"
        if failed {
            input = try datasetVersion(version, of: dataset, on: connection)
            return [
                RunEvent(
                    eventType: .start, eventTime: row["created_at"] ?? entry.time, runID: runID, runFacets: facets,
                    jobNamespace: namespace, jobName: job, jobFacets: [Facets.jobType("EVALUATION")], inputs: [input]),
                RunEvent(
                    eventType: .fail, eventTime: row["finished_at"] ?? entry.time, runID: runID,
                    runFacets: facets + [Facets.error(row["error"] ?? "the evaluation could not run")], jobNamespace: namespace,
                    jobName: job, jobFacets: [Facets.jobType("EVALUATION")], inputs: [input]),
            ]
        }
        return [
            RunEvent(
                eventType: .start, eventTime: row["created_at"] ?? entry.time, runID: runID, runFacets: facets, jobNamespace: namespace,
                jobName: job, jobFacets: [Facets.jobType("EVALUATION")], inputs: [try datasetVersion(version, of: dataset, on: connection)]),
            RunEvent(
                eventType: .complete, eventTime: row["finished_at"] ?? entry.time, runID: runID, runFacets: facets,
                jobNamespace: namespace, jobName: job, jobFacets: [Facets.jobType("EVALUATION")], inputs: [input]),
        ]
    }

    // MARK: syncs

    func syncEvent(_ source: String, _ entry: AuditFeed.Entry, on connection: Connection) throws -> RunEvent {
        let commit = entry.changes["/commit"]?.stringValue ?? entry.source["commit"]?.stringValue ?? ""
        let result = entry.changes["/result"]?.stringValue ?? entry.outcome
        var runFacets = [DataPilotObjectFacet.member(kind: "Source", name: source, uid: nil, publicURL: publicURL)]
        if result != "synced" { runFacets.append(Facets.error(entry.changes["/error"]?.stringValue ?? "sync \(result)")) }
        var jobFacets = [Facets.jobType("SYNC")]
        if let repository = entry.source["repository"]?.stringValue,
            let facet = Facets.sourceCode(repository: repository, commit: commit, path: nil)
        {
            jobFacets.append(facet)
        }
        var outputs: [RunEvent.Dataset] = []
        if !commit.isEmpty {
            let changed = try connection.query(
                "select to_node from lineage_edges where from_node = $1 and relation = 'changed' order by to_node", ["commit/\(commit)"])
            for row in changed {
                guard let node = row["to_node"] else { continue }
                if node.hasPrefix("datasetversion/") {
                    let version = String(node.dropFirst("datasetversion/".count))
                    if let dataset = try connection.query("select dataset from dataset_versions where name = $1", [version]).first?[
                        "dataset"]
                    {
                        outputs.append(try datasetVersion(version, of: dataset, on: connection))
                    }
                } else if node.hasPrefix("dataset/") {
                    outputs.append(try self.dataset(String(node.dropFirst("dataset/".count)), on: connection))
                }
            }
        }
        return RunEvent(
            eventType: result == "synced" ? .complete : .fail, eventTime: entry.time,
            runID: NameUUID.make("sync/\(source)/\(commit)/\(entry.sequence)"), runFacets: runFacets, jobNamespace: namespace,
            jobName: "sync.\(source)", jobFacets: jobFacets, outputs: outputs)
    }

    // MARK: datasets

    /// A dataset as OpenLineage sees it: `namespace`, the dataset's name, its schema.
    func dataset(_ name: String, on connection: Connection) throws -> RunEvent.Dataset {
        let spec = AuditFeed.parse(try connection.query("select spec::text as spec from datasets where name = $1", [name]).first?["spec"])
        var facets: [JSONMember] = []
        if let columns = spec["schema"]?["columns"]?.arrayValue { facets.append(Facets.schema(columns: columns)) }
        return RunEvent.Dataset(namespace: namespace, name: name, facets: facets)
    }

    /// A version: its dataset, with the `version` facet naming it.
    func datasetVersion(_ version: String, of dataset: String, on connection: Connection) throws -> RunEvent.Dataset {
        var value = try self.dataset(dataset, on: connection)
        value.facets.append(Facets.version(version))
        return value
    }
}

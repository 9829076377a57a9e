import APIModel
import Audit
import Evidence
import Manifests
import ObjectAPI

/// The in-toto statements of a run's evidence, built from what the server recorded.
struct EvidenceStatements {
    let gathered: EvidenceService.Gathered

    var run: RunRecord { gathered.run }

    /// Inputs as SLSA resource descriptors: dataset versions by digest, the code commit, the image.
    var dependencies: [JSONValue] {
        var list: [JSONValue] =
            run.inputs.arrayValue?.map { input in
                let version = input["datasetVersion"]?.stringValue ?? ""
                let digest = (input["digest"]?.stringValue ?? "").replacingOccurrences(of: "sha256:", with: "")
                return [
                    "name": .string(ObjectRef(.datasetVersion, version).description),
                    "uri": .string("datapilot:" + ObjectRef(.datasetVersion, version).description),
                    "digest": ["sha256": .string(digest)],
                    // The admission seen as the run started; admittedAnyway when the run was allowed unadmitted inputs.
                    "annotations": .object(
                        [JSONMember("dataset", input["dataset"] ?? .null)]
                            + ["admission", "admittedAnyway"].compactMap { key in input[key].map { JSONMember(key, $0) } }),
                ]
            } ?? []
        if let repository = run.spec["code"]?["repository"]?.stringValue, let commit = run.spec["code"]?["commit"]?.stringValue {
            list.append(["name": "code", "uri": .string("git+\(repository)@\(commit)"), "digest": ["gitCommit": .string(commit)]])
        }
        if let reference = run.spec["image"]?["reference"]?.stringValue, let digest = run.spec["image"]?["digest"]?.stringValue {
            let parts = digest.split(separator: ":", maxSplits: 1).map(String.init)
            // A ResourceDescriptor's uri is a URI: an image reference gets the oci:// scheme.
            list.append([
                "name": "image", "uri": .string(reference.contains("://") ? reference : "oci://" + reference),
                "digest": .object([JSONMember(parts.count == 2 ? parts[0] : "sha256", .string(parts.last ?? digest))]),
            ])
        }
        return list
    }

    /// SLSA provenance v1: the run's artifacts are the subjects (the run itself when it made none).
    var provenance: JSONValue {
        var subjects = gathered.artifacts.filter { $0["name"] != "run.log" }.map {
            StatementType.subject("artifact/\($0["name"]!)", sha256: $0["sha256"]!)
        }
        let byproducts = gathered.artifacts.filter { $0["name"] == "run.log" }.map { row -> JSONValue in
            ["name": .string("artifact/run.log"), "digest": ["sha256": .string(row["sha256"]!)]]
        }
        if subjects.isEmpty {
            subjects = [
                StatementType.subject(
                    ObjectRef(.run, run.name).description, sha256: String(AuditLog.digest(UserOwned.of(run.object)).dropFirst(7)))
            ]
        }
        var external: [JSONMember] = [JSONMember("experiment", .string(run.experiment))]
        if let command = run.spec["command"] { external.append(JSONMember("command", command)) }
        external.append(JSONMember("params", run.spec["params"] ?? .object([])))
        var metadata: [JSONMember] = [JSONMember("invocationId", .string(run.name))]
        if let started = run.startedAt { metadata.append(JSONMember("startedOn", .string(started))) }
        if let finished = run.finishedAt { metadata.append(JSONMember("finishedOn", .string(finished))) }
        let executor = run.executor ?? "external"
        let predicate: JSONValue = [
            "buildDefinition": [
                "buildType": "https://datapilot.io/run/v1",
                "externalParameters": .object(external),
                "internalParameters": [
                    "executor": .string(executor), "state": .string(run.state.rawValue),
                    "exitCode": run.exitCode.map(JSONValue.int) ?? .null,
                ],
                "resolvedDependencies": .array(dependencies),
            ],
            "runDetails": [
                "builder": ["id": .string("https://datapilot.io/executors/\(executor)")],
                "metadata": .object(metadata),
                "byproducts": .array(byproducts),
            ],
        ]
        return StatementType.statement(subjects: subjects, predicateType: StatementType.provenance, predicate: predicate)
    }

    /// One test-result statement per input version that quality rules evaluated (the latest
    /// evaluation), exactly the in-toto test-result v0.1 predicate: its result is PASSED, WARNED or
    /// FAILED, so an evaluation that errored is FAILED with its errored checks among the failed
    /// ones; each rule is a resource descriptor with a URI.
    var testResults: [JSONValue] {
        gathered.evaluations.map { row in
            let summary = ObjectJSON.parse(row["summary"])
            let checks = summary["checks"]?.arrayValue ?? []
            func named(_ outcome: String) -> JSONValue {
                .array(
                    checks.filter { $0["outcome"]?.stringValue == outcome }.map {
                        .string("\($0["rule"]?.stringValue ?? "")/\($0["check"]?.stringValue ?? "")")
                    })
            }
            let version = row["dataset_version"]!
            let outcome = row["outcome"]!
            let predicate: JSONValue = [
                "result": .string(outcome == "ERROR" ? "FAILED" : outcome),
                "configuration": .array(
                    (summary["rules"]?.arrayValue ?? []).map {
                        let rule = ObjectRef(.qualityRule, $0.stringValue ?? "").description
                        return ["name": .string(rule), "uri": .string("datapilot:" + rule)]
                    }),
                "url": .string("datapilot:evaluation/\(row["id"]!)"),
                "passedTests": named("PASSED"), "warnedTests": named("WARNED"),
                "failedTests": .array((named("FAILED").arrayValue ?? []) + (named("ERROR").arrayValue ?? [])),
            ]
            guard
                case .object(var subject) = StatementType.subject(
                    ObjectRef(.datasetVersion, version).description, sha256: row["version_sha256"]!)
            else {
                return .null
            }
            subject.append(JSONMember("annotations", ["dataset": .string(row["dataset"] ?? "")]))
            return StatementType.statement(
                subjects: [.object(subject)],
                predicateType: StatementType.testResult, predicate: predicate)
        }
    }

    /// The audit chain's head when the bundle was made, and the run's own events under it.
    var anchor: JSONValue {
        let events = gathered.events.map { event -> JSONValue in
            ["sequence": .int(event.sequence), "hash": .string(event.hash), "action": .string(event.action), "time": .string(event.time)]
        }
        return StatementType.statement(
            subjects: [
                StatementType.subject(ObjectRef(.run, run.name).description, sha256: String(AuditLog.digest(.array(events)).dropFirst(7)))
            ],
            predicateType: StatementType.auditAnchor,
            predicate: [
                "headSequence": .int(gathered.head.sequence), "headHash": .string(gathered.head.hash),
                "resource": .string(RunLedger.resource(run.name)), "events": .array(events),
            ])
    }
}

import Evidence
import Manifests

/// The human-readable side of an evidence bundle, stored next to it.
enum EvidenceReport {
    static func markdown(bundle: EvidenceBundle, gathered: EvidenceService.Gathered, statements: [JSONValue]) -> String {
        let run = gathered.run
        var lines = [
            "# Evidence for run `\(run.name)`", "",
            "| | |", "|---|---|",
            "| Bundle | `\(bundle.id)` |", "| Experiment | `\(run.experiment)` |", "| State | \(run.state.rawValue) |",
            "| Executor | \(run.executor ?? "external") |", "| Started | \(run.startedAt ?? "—") |",
            "| Finished | \(run.finishedAt ?? "—") |",
            "| Signed by | `\(bundle.envelopes.first?.signatures.first?.keyid ?? "?")` (Ed25519, DSSE) |", "",
            "## Inputs", "",
        ]
        let inputs = run.inputs.arrayValue ?? []
        lines +=
            inputs.isEmpty
            ? ["None declared.", ""]
            : ["| Dataset version | Digest | Admission |", "|---|---|---|"]
                + inputs.map { input in
                    let admission = input["admission"]?.stringValue ?? "—"
                    let anyway = input["admittedAnyway"]?.boolValue == true ? " (**allowed unadmitted**)" : ""
                    return
                        "| `\(input["datasetVersion"]?.stringValue ?? "")` | `\(input["digest"]?.stringValue ?? "")` | \(admission)\(anyway) |"
                } + [""]
        if let code = run.spec["code"] {
            lines += ["Code: `\(code["repository"]?.stringValue ?? "")` at `\(code["commit"]?.stringValue ?? "")`", ""]
        }
        if let image = run.spec["image"] {
            lines += ["Image: `\(image["reference"]?.stringValue ?? "")` (`\(image["digest"]?.stringValue ?? "")`)", ""]
        }
        lines += ["## Outputs", "", "| Artifact | sha256 | Bytes |", "|---|---|---|"]
        lines += gathered.artifacts.map { "| `\($0["name"]!)` | `\($0["sha256"]!)` | \($0["size"]!) |" }
        lines += ["", "## Quality of the inputs", ""]
        if gathered.evaluations.isEmpty { lines.append("No evaluation of the inputs was recorded.") }
        for row in gathered.evaluations {
            lines.append("- `\(row["dataset_version"]!)`: **\(row["outcome"]!)** (evaluation `\(row["id"]!)`)")
        }
        lines += [
            "", "## Audit anchor", "",
            "The audit chain's head was entry \(gathered.head.sequence) (`\(gathered.head.hash)`); the run's \(gathered.events.count) events are listed in the anchor statement.",
            "", "Verify with `dpctl evidence verify <bundle file>`.", "",
        ]
        return lines.joined(separator: "\n")
    }
}

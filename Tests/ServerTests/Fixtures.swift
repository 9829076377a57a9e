import Curl
import Foundation
import Manifests

/// Bodies of the kinds beyond datasets, as a client sends them.
func qualityRule(_ name: String, dataset: String, severity: String = "fail", labels: String = "{}") -> String {
    #"{"metadata": {"name": "\#(name)", "labels": \#(labels)}, "spec": {"dataset": "\#(dataset)", "severity": "\#(severity)", "checks": [{"name": "rows", "rowCount": {"min": 1}}]}}"#
}

func experiment(_ name: String, datasets: [String] = [], metric: String = "auc", labels: String = "{}") -> String {
    let list = datasets.map { "\"\($0)\"" }.joined(separator: ", ")
    return
        #"{"metadata": {"name": "\#(name)", "labels": \#(labels)}, "spec": {"datasets": [\#(list)], "objective": {"metric": "\#(metric)", "goal": "maximize"}}}"#
}

func run(_ name: String, experiment: String, inputs: [String] = [], description: String = "baseline") -> String {
    let list = inputs.map { #"{"datasetVersion": "\#($0)"}"# }.joined(separator: ", ")
    return
        #"{"metadata": {"name": "\#(name)"}, "spec": {"experiment": "\#(experiment)", "description": "\#(description)", "inputs": [\#(list)]}}"#
}

func externalVersion(
    _ name: String, dataset: String, url: String = "https://data.example.com/churn.csv",
    sha256: String = String(repeating: "a", count: 64), labels: String = "{}", description: String? = nil
) -> String {
    let described = description.map { #", "description": "\#($0)""# } ?? ""
    return
        #"{"metadata": {"name": "\#(name)", "labels": \#(labels)}, "spec": {"dataset": "\#(dataset)"\#(described), "source": {"url": "\#(url)", "sha256": "\#(sha256)"}}}"#
}

extension TestServer {
    /// Every audit event so far, as `action resource`.
    func auditTrail() async throws -> [String] {
        let events = try await request("GET", "/api/audit/events?page_size=1000")
        return (events.json["items"]?.arrayValue ?? []).map { "\($0["action"]?.stringValue ?? "") \($0["resource"]?.stringValue ?? "")" }
    }

    /// The names in a list answer.
    func names(_ path: String) async throws -> [String] {
        let response = try await request("GET", path)
        return response.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
    }

    /// The edges around a lineage node, as `from -relation-> to`.
    func edges(_ node: String, direction: String = "both") async throws -> Set<String> {
        let graph = try await request("GET", "/api/lineage/graph?node=\(node)&direction=\(direction)&depth=1")
        return Set(
            (graph.json["edges"]?.arrayValue ?? []).map {
                "\($0["from"]?.stringValue ?? "") -\($0["relation"]?.stringValue ?? "")-> \($0["to"]?.stringValue ?? "")"
            })
    }
}

import Lineage
import Postgres

/// What an ingested event becomes in the lineage graph, in the request's transaction:
///
///     olrun/<runId> -belongs-to-> oljob/<namespace>/<name>
///     olrun/<runId> -input->      <each input>
///     olrun/<runId> -output->     <each output>
///
/// A dataset in DataPilot's namespace (`openlineage-namespace`) whose name is a Dataset here is
/// that Dataset's node, and the DatasetVersion its `version` facet names (when it is a version
/// of that Dataset) is the version's node: `dataset/<name>`, `datasetversion/<version>`. Any other
/// dataset is `oldataset/<namespace>/<name>`. Adding an edge again is a no-op, so a START and a
/// COMPLETE of one run add each edge once.
enum IngestEdges {
    static func edges(for event: IngestedEvent, namespace: String, on connection: Connection) throws -> [LineageEdge] {
        let run = LineageNode(kind: "olrun", name: event.runID)
        var edges = [
            LineageEdge(from: run, to: LineageNode(kind: "oljob", name: "\(event.jobNamespace)/\(event.jobName)"), relation: "belongs-to")
        ]
        for input in event.inputs {
            edges.append(LineageEdge(from: run, to: try node(input, namespace, on: connection), relation: "input"))
        }
        for output in event.outputs {
            edges.append(LineageEdge(from: run, to: try node(output, namespace, on: connection), relation: "output"))
        }
        return edges
    }

    static func node(_ dataset: IngestedEvent.Dataset, _ namespace: String, on connection: Connection) throws -> LineageNode {
        let foreign = LineageNode(kind: "oldataset", name: "\(dataset.namespace)/\(dataset.name)")
        guard dataset.namespace == namespace,
            try !connection.query("select 1 from datasets where name = $1", [dataset.name]).isEmpty
        else { return foreign }
        if let version = dataset.version,
            try !connection.query("select 1 from dataset_versions where name = $1 and dataset = $2", [version, dataset.name]).isEmpty
        {
            return LineageNode(kind: "datasetversion", name: version)
        }
        return LineageNode(kind: "dataset", name: dataset.name)
    }
}

import Manifests
import Postgres
import ServiceKit

/// A run's inputs pinned by content: each `spec.inputs[].datasetVersion` resolved, when the run
/// is written, to its dataset and sha256, so the run's record (and its evidence) names the
/// exact bytes it read even if names were ever reused elsewhere.
enum RunInputs {
    static func resolve(_ spec: JSONValue, on connection: Connection) throws -> JSONValue {
        var resolved: [JSONValue] = []
        for (index, version) in (spec["inputs"]?.strings("datasetVersion") ?? []).enumerated() {
            guard let row = try connection.query("select dataset, sha256 from dataset_versions where name = $1", [version]).first else {
                throw Problem(
                    .unprocessableContent, title: "Unknown input",
                    detail:
                        "spec.inputs[\(index)].datasetVersion names DatasetVersion \"\(version)\", which does not exist; create it first")
            }
            resolved.append([
                "datasetVersion": .string(version), "dataset": .string(row["dataset"]!),
                "digest": .string("sha256:" + row["sha256"]!),
            ])
        }
        return .array(resolved)
    }

    /// Records the resolved inputs on the run's row (inside the write's transaction).
    static func write(run: String, spec: JSONValue, on connection: Connection) throws {
        try connection.query("update runs set inputs = $2::jsonb where name = $1", [run, try resolve(spec, on: connection).jsonString()])
    }
}

import APIClient
import APIModel
import ArgumentParser
import CLIKit
import Foundation
import Manifests
import SyncEngine

/// `dpctl get KIND [NAME]`: objects from the server as a table, or as JSON, YAML or names.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show objects on the server.",
        discussion:
            "KIND is a kind's name, plural or short name: datasets (ds), datasetversions (dsv), qualityrules (qr), experiments (exp), runs."
    )

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case table, wide, json, yaml, name
    }

    @Argument(help: "The kind of object.") var kind: String
    @Argument(help: "One object's name (all of the kind when left out).") var name: String?
    @Option(name: [.customShort("l"), .customLong("selector")], help: "Label selector, e.g. team=growth,tier!=gold.") var selector: String?
    @Option(name: [.customShort("o"), .long], help: "Output: table, wide, json, yaml or name.") var output: Output = .table
    @Option(help: "For datasetversions: only the versions of this dataset.") var dataset: String?
    @Option(help: "The context to use (see dpctl config get-contexts).") var context: String?

    func validate() throws {
        guard let kind = ManifestKind(argument: kind) else {
            let names = ManifestKind.allCases.map(\.plural)
            throw ValidationError(
                "unknown kind \"\(self.kind)\"" + Suggest.hint(for: self.kind, in: names) + "; kinds are " + names.joined(separator: ", "))
        }
        if dataset != nil && kind != .datasetVersion { throw ValidationError("--dataset goes with datasetversions only") }
        if let selector {
            do { _ = try LabelSelector(parsing: selector) } catch { throw ValidationError(error.description) }
        }
    }

    func run() async throws {
        let kind = ManifestKind(argument: kind)!
        let target = try Target.resolve(context: context)
        let client = APIClient(server: target.server, token: target.token)
        let objects: [JSONValue]
        do {
            objects = try await fetch(kind, client: client)
        } catch let error as APIError {
            throw CLIError(error.message)
        }
        if let name, objects.isEmpty {
            throw CLIError("\(kind.singular) \"\(name)\" not found")
        }
        print(render(objects, kind: kind), terminator: "")
    }

    func fetch(_ kind: ManifestKind, client: APIClient) async throws -> [JSONValue] {
        let query = selector.map { [("label_selector", $0)] } ?? []
        if kind == .datasetVersion, let dataset {
            do {
                let versions = try await client.list(APIPath.versions(of: dataset))
                let labels = try selector.map { try LabelSelector(parsing: $0) }
                return versions.filter { version in
                    (name == nil || version["metadata"]?["name"]?.stringValue == name)
                        && (labels?.matches(version["metadata"]?["labels"]) ?? true)
                }
            } catch let error as APIError where error.code == .notFound {
                throw CLIError("dataset \"\(dataset)\" not found")
            }
        }
        if let name {
            // Versions live below their dataset; the cross-dataset list finds one by name.
            if kind == .datasetVersion {
                return try await client.list(APIPath.list(kind), query: query).filter { $0["metadata"]?["name"]?.stringValue == name }
            }
            do { return [try await client.send("GET", APIPath.item(ObjectRef(kind, name), dataset: nil)).json] } catch let error as APIError
                where error.code == .notFound
            { return [] }
        }
        return try await client.list(APIPath.list(kind), query: query)
    }

    func render(_ objects: [JSONValue], kind: ManifestKind) -> String {
        switch output {
        case .json:
            let value = name != nil && objects.count == 1 ? objects[0] : JSONValue.object([JSONMember("items", .array(objects))])
            return value.jsonString(pretty: true) + "\n"
        case .yaml:
            if name != nil && objects.count == 1 { return YAMLEmitter.emit(objects[0]) }
            return objects.map { "---\n" + YAMLEmitter.emit($0) }.joined()
        case .name:
            return objects.map { "\(ObjectRef(kind, $0["metadata"]?["name"]?.stringValue ?? "?"))\n" }.joined()
        case .table, .wide:
            if objects.isEmpty { return "No \(kind.plural) found.\n" }
            let wide = output == .wide
            var header: [String]
            var rows: [[String]]
            switch kind {
            case .qualityRule, .experiment, .run:
                (header, rows) = Self.columns(kind, objects, wide: wide)
            case .datasetVersion:
                header = ["NAME", "DATASET", "ADMISSION", "SIZE", "SHA256", "AGE"] + (wide ? ["CREATED BY"] : [])
                rows = objects.map { o in
                    let sha = o["status"]?["sha256"]?.stringValue ?? ""
                    return [
                        o["metadata"]?["name"]?.stringValue ?? "", o["spec"]?["dataset"]?.stringValue ?? "",
                        o["status"]?["admission"]?["state"]?.stringValue ?? "-",
                        Self.bytes(o["status"]?["size"]?.numberValue ?? 0), wide ? sha : String(sha.prefix(12)),
                        Self.age(o["metadata"]?["createdAt"]?.stringValue),
                    ] + (wide ? [o["metadata"]?["createdBy"]?.stringValue ?? ""] : [])
                }
            default:
                header = ["NAME", "FORMAT", "OWNER", "LABELS", "AGE"] + (wide ? ["VERSION", "UPDATED BY"] : [])
                rows = objects.map { o in
                    let labels = (o["metadata"]?["labels"]?.objectValue ?? []).map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(
                        separator: ",")
                    return [
                        o["metadata"]?["name"]?.stringValue ?? "", o["spec"]?["format"]?.stringValue ?? "",
                        o["spec"]?["owner"]?.stringValue ?? "", labels.isEmpty ? "<none>" : labels,
                        Self.age(o["metadata"]?["createdAt"]?.stringValue),
                    ]
                        + (wide
                            ? [o["metadata"]?["resourceVersion"]?.stringValue ?? "", o["metadata"]?["updatedBy"]?.stringValue ?? ""] : [])
                }
            }
            return Table(header: header, rows: rows).render(width: Terminal.standardOutput.width)
        }
    }

    /// The columns of rules, experiments and runs: what a reader scans for first.
    static func columns(_ kind: ManifestKind, _ objects: [JSONValue], wide: Bool) -> ([String], [[String]]) {
        func text(_ value: JSONValue?) -> String {
            if let array = value?.arrayValue { return array.compactMap(\.stringValue).joined(separator: ",") }
            return value?.stringValue ?? ""
        }
        let header: [String]
        let cells: (JSONValue) -> [String]
        switch kind {
        case .qualityRule:
            header = ["NAME", "DATASET", "SEVERITY", "CHECKS"]
            cells = {
                [text($0["spec"]?["dataset"]), text($0["spec"]?["severity"]), String($0["spec"]?["checks"]?.arrayValue?.count ?? 0)]
            }
        case .experiment:
            header = ["NAME", "DATASETS", "METRIC", "GOAL"]
            cells = { [text($0["spec"]?["datasets"]), text($0["spec"]?["objective"]?["metric"]), text($0["spec"]?["objective"]?["goal"])] }
        default:
            header = ["NAME", "EXPERIMENT", "INPUTS", "EXECUTE"]
            cells = { o in
                [
                    text(o["spec"]?["experiment"]),
                    (o["spec"]?["inputs"]?.arrayValue ?? []).compactMap { $0["datasetVersion"]?.stringValue }.joined(separator: ","),
                    o["spec"]?["execute"]?.boolValue == true ? "true" : "false",
                ]
            }
        }
        let rows = objects.map { o in
            [o["metadata"]?["name"]?.stringValue ?? ""] + cells(o) + [age(o["metadata"]?["createdAt"]?.stringValue)]
                + (wide ? [o["metadata"]?["resourceVersion"]?.stringValue ?? "", o["metadata"]?["updatedBy"]?.stringValue ?? ""] : [])
        }
        return (header + ["AGE"] + (wide ? ["VERSION", "UPDATED BY"] : []), rows)
    }

    /// kubectl's AGE: 45s, 12m, 3h, 5d.
    static func age(_ timestamp: String?) -> String {
        guard let timestamp, let date = ISO8601DateFormatter.withFractions.date(from: timestamp) else { return "<unknown>" }
        let seconds = max(0, Int(Date().timeIntervalSince(date)))
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<7200: return "\(seconds / 60)m"
        case ..<172_800: return "\(seconds / 3600)h"
        default: return "\(seconds / 86_400)d"
        }
    }

    static func bytes(_ n: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = n
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f %@", value, units[unit])
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let withFractions: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}

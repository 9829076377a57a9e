import Manifests

/// The standard facets DataPilot fills (each with `_producer` and the `_schemaURL` of the facet
/// schema version it follows) and the custom `datapilot` run facet (`DataPilotObjectFacet`).
public enum Facets {
    /// Who made an event: DataPilot's server (a URI, as the spec asks).
    public static let producer = "https://datapilot.io/datapilot-server"

    static let spec = "https://openlineage.io/spec/facets/"

    static func facet(_ schema: String, _ members: [JSONMember]) -> JSONValue {
        .object([JSONMember("_producer", .string(producer)), JSONMember("_schemaURL", .string(spec + schema))] + members)
    }

    /// `schema`: a dataset's columns (`spec.schema.columns`: name, type, description).
    public static func schema(columns: [JSONValue]) -> JSONMember {
        let fields: [JSONValue] = columns.compactMap { column in
            guard let name = column["name"]?.stringValue else { return nil }
            var members = [JSONMember("name", .string(name))]
            if let type = column["type"]?.stringValue { members.append(JSONMember("type", .string(type))) }
            if let description = column["description"]?.stringValue { members.append(JSONMember("description", .string(description))) }
            return .object(members)
        }
        return JSONMember(
            "schema", facet("1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet", [JSONMember("fields", .array(fields))]))
    }

    /// `version`: the DatasetVersion an event is about (its name).
    public static func version(_ name: String) -> JSONMember {
        JSONMember(
            "version",
            facet("1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet", [JSONMember("datasetVersion", .string(name))]))
    }

    /// `dataQualityAssertions`: an evaluation's checks, one assertion each (`success` when the
    /// check passed; its rule, type, severity, threshold and observed value).
    public static func assertions(checks: [JSONValue]) -> JSONMember {
        let assertions: [JSONValue] = checks.map { check in
            var members = [
                JSONMember("assertion", .string(check["type"]?.stringValue ?? check["check"]?.stringValue ?? "check")),
                JSONMember("success", .bool(check["outcome"]?.stringValue == "PASSED")),
            ]
            if let rule = check["rule"]?.stringValue, let name = check["check"]?.stringValue {
                members.append(JSONMember("name", .string("\(rule)/\(name)")))
            }
            if let column = check["column"]?.stringValue { members.append(JSONMember("column", .string(column))) }
            if let severity = check["severity"]?.stringValue { members.append(JSONMember("severity", .string(severity))) }
            if let message = check["message"]?.stringValue { members.append(JSONMember("description", .string(message))) }
            if let threshold = check["threshold"], threshold != .null { members.append(JSONMember("expected", .string(text(threshold)))) }
            if let observed = check["observedValue"], observed != .null { members.append(JSONMember("actual", .string(text(observed)))) }
            return .object(members)
        }
        return JSONMember(
            "dataQualityAssertions",
            facet(
                "1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet",
                [JSONMember("assertions", .array(assertions))]))
    }

    /// `sourceCodeLocation`: the git repository and commit a job's definition came from; nil when
    /// the repository is not a URL (an scp-style `git@host:path` is not a URI).
    public static func sourceCode(repository: String, commit: String, path: String?) -> JSONMember? {
        guard let colon = repository.firstIndex(of: ":"), repository[..<colon].allSatisfy({ $0.isLetter || $0 == "+" }),
            repository[repository.index(after: colon)...].hasPrefix("//")
        else { return nil }
        var members = [
            JSONMember("type", "git"), JSONMember("url", .string(repository)), JSONMember("repoUrl", .string(repository)),
            JSONMember("version", .string(commit)),
        ]
        if let path { members.append(JSONMember("path", .string(path))) }
        return JSONMember("sourceCodeLocation", facet("1-1-0/SourceCodeLocationJobFacet.json#/$defs/SourceCodeLocationJobFacet", members))
    }

    /// `jobType`: batch work of DataPilot (`RUN`, `EVALUATION`, `SYNC`).
    public static func jobType(_ type: String) -> JSONMember {
        JSONMember(
            "jobType",
            facet(
                "2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
                [JSONMember("processingType", "BATCH"), JSONMember("integration", "DATAPILOT"), JSONMember("jobType", .string(type))]))
    }

    /// `errorMessage`: why a run or sync failed.
    public static func error(_ message: String) -> JSONMember {
        JSONMember(
            "errorMessage",
            facet(
                "1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
                [JSONMember("message", .string(message)), JSONMember("programmingLanguage", "none")]))
    }

    static func text(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.jsonString()
    }
}

import APIModel
import Foundation
import Manifests

/// An OpenLineage RunEvent as `POST /api/v1/lineage` takes it, checked whole before anything is
/// written: every problem is reported with the field's path (`eventType`, `run.runId`,
/// `inputs[2].name`). DatasetEvents and JobEvents (no `run`) are refused.
public struct IngestedEvent: Sendable {
    /// A dataset named by the event, and the DatasetVersion its `version` facet names, if any.
    public struct Dataset: Sendable, Hashable {
        public var namespace: String
        public var name: String
        public var version: String?
    }

    public var eventType: RunEvent.EventType
    public var eventTime: String
    public var runID: String
    public var jobNamespace: String
    public var jobName: String
    public var inputs: [Dataset]
    public var outputs: [Dataset]

    /// Datasets per list at most, and the longest namespace or name.
    public static let maxDatasets = 1000
    public static let maxName = 1024

    /// Why an event was refused: every problem found, each with the field's path.
    public struct Refusal: Error, Sendable {
        public var errors: [ProblemDetails.ValidationError]
    }

    /// The event, or every problem found (never a part of it).
    public static func parse(_ value: JSONValue) -> Result<IngestedEvent, Refusal> {
        var errors: [ProblemDetails.ValidationError] = []
        func fail(_ path: String, _ code: String, _ message: String) {
            errors.append(ProblemDetails.ValidationError(path: path, code: code, message: message))
        }
        guard value.objectValue != nil else {
            return .failure(
                Refusal(errors: [ProblemDetails.ValidationError(path: "", code: "invalidType", message: "the event must be a JSON object")])
            )
        }
        /// A required string member; nil (and an error) when missing or not a string.
        func string(_ parent: JSONValue?, _ key: String, _ path: String, required: Bool = true) -> String? {
            switch parent?[key] {
            case nil, .null?:
                if required { fail(path, "missingField", "\(path) is required") }
                return nil
            case .string(let text)?:
                if text.isEmpty || text.count > maxName {
                    fail(path, "invalidValue", "\(path) must be 1 to \(maxName) characters")
                    return nil
                }
                return text
            default:
                fail(path, "invalidType", "\(path) must be a string")
                return nil
            }
        }
        func object(_ parent: JSONValue?, _ key: String, _ path: String, required: Bool) -> JSONValue? {
            switch parent?[key] {
            case nil, .null?:
                if required { fail(path, "missingField", "\(path) is required") }
                return nil
            case .object(let members)?: return .object(members)
            default:
                fail(path, "invalidType", "\(path) must be an object")
                return nil
            }
        }

        var eventType: RunEvent.EventType?
        if let text = string(value, "eventType", "eventType") {
            eventType = RunEvent.EventType(rawValue: text)
            if eventType == nil {
                fail(
                    "eventType", "invalidValue",
                    "eventType must be one of \(RunEvent.EventType.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"")
            }
        }
        let eventTime = string(value, "eventTime", "eventTime")
        if let eventTime, !Self.isDateTime(eventTime) {
            fail("eventTime", "invalidValue", "eventTime must be an RFC 3339 date-time with a zone, e.g. 2026-11-30T18:00:00.000Z")
        }
        if let producer = string(value, "producer", "producer"), !Self.isURI(producer) {
            fail(
                "producer", "invalidValue",
                "producer must be a URI (e.g. https://github.com/OpenLineage/OpenLineage/tree/1.0.0/client/python)")
        }
        if let schemaURL = string(value, "schemaURL", "schemaURL"), !Self.isURI(schemaURL) {
            fail("schemaURL", "invalidValue", "schemaURL must be a URI")
        }
        let run = object(value, "run", "run", required: true)
        let runID = string(run, "runId", "run.runId", required: run != nil)
        if let runID, !Self.isUUID(runID) { fail("run.runId", "invalidValue", "run.runId must be a UUID") }
        if run != nil { _ = object(run, "facets", "run.facets", required: false) }
        let job = object(value, "job", "job", required: true)
        let jobNamespace = string(job, "namespace", "job.namespace", required: job != nil)
        let jobName = string(job, "name", "job.name", required: job != nil)

        func datasets(_ key: String) -> [Dataset] {
            switch value[key] {
            case nil, .null?: return []
            case .array(let items)?:
                guard items.count <= maxDatasets else {
                    fail(key, "tooMany", "\(key) has \(items.count) datasets; at most \(maxDatasets)")
                    return []
                }
                return items.enumerated().compactMap { index, item in
                    let path = "\(key)[\(index)]"
                    guard item.objectValue != nil else {
                        fail(path, "invalidType", "\(path) must be an object")
                        return nil
                    }
                    let namespace = string(item, "namespace", "\(path).namespace")
                    let name = string(item, "name", "\(path).name")
                    let facets = object(item, "facets", "\(path).facets", required: false)
                    var version: String?
                    if let facet = facets?["version"] { version = string(facet, "datasetVersion", "\(path).facets.version.datasetVersion") }
                    guard let namespace, let name else { return nil }
                    return Dataset(namespace: namespace, name: name, version: version)
                }
            default:
                fail(key, "invalidType", "\(key) must be an array")
                return []
            }
        }
        let inputs = datasets("inputs")
        let outputs = datasets("outputs")
        guard errors.isEmpty, let eventType, let eventTime, let runID, let jobNamespace, let jobName else {
            return .failure(Refusal(errors: errors))
        }
        return .success(
            IngestedEvent(
                eventType: eventType, eventTime: eventTime, runID: runID.lowercased(), jobNamespace: jobNamespace, jobName: jobName,
                inputs: inputs, outputs: outputs))
    }

    /// RFC 3339: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, each field in range.
    static func isDateTime(_ text: String) -> Bool {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return false }
        func field(_ n: Int) -> Int? {
            guard let range = Range(match.range(at: n), in: text) else { return nil }
            return Int(text[range])
        }
        guard let month = field(2), let day = field(3), let hour = field(4), let minute = field(5), let second = field(6) else {
            return false
        }
        if let zoneHour = field(9), let zoneMinute = field(10), zoneHour > 23 || zoneMinute > 59 { return false }
        return (1...12).contains(month) && (1...31).contains(day) && hour < 24 && minute < 60 && second < 61
    }

    static func isUUID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// A scheme (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`) and a colon.
    static func isURI(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, !text.contains(where: \.isWhitespace) else { return false }
        let scheme = text[..<colon]
        return scheme.first!.isLetter && scheme.allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) }
    }
}

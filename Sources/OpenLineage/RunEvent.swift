import Manifests

/// One OpenLineage RunEvent (spec 2-0-2) as DataPilot emits it: a transition of a run of a job,
/// with the datasets it read and wrote. `json` is the wire form.
public struct RunEvent: Sendable, Hashable {
    /// OpenLineage's run transitions (`OTHER` and `RUNNING` are never emitted).
    public enum EventType: String, Sendable, Hashable, CaseIterable {
        case start = "START"
        case running = "RUNNING"
        case complete = "COMPLETE"
        case abort = "ABORT"
        case fail = "FAIL"
        case other = "OTHER"
    }

    /// A dataset read or written: namespace, name and its facets (by facet name).
    public struct Dataset: Sendable, Hashable {
        public var namespace: String
        public var name: String
        public var facets: [JSONMember]
        /// Input facets (`dataQualityAssertions`) for inputs.
        public var inputFacets: [JSONMember]

        public init(namespace: String, name: String, facets: [JSONMember] = [], inputFacets: [JSONMember] = []) {
            self.namespace = namespace
            self.name = name
            self.facets = facets
            self.inputFacets = inputFacets
        }

        var json: JSONValue {
            var members = [JSONMember("namespace", .string(namespace)), JSONMember("name", .string(name))]
            members.append(JSONMember("facets", .object(facets)))
            if !inputFacets.isEmpty { members.append(JSONMember("inputFacets", .object(inputFacets))) }
            return .object(members)
        }
    }

    /// The spec's RunEvent schema, which every event names.
    public static let schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"

    public var eventType: EventType
    /// RFC 3339 with the zone (`2026-11-30T18:00:00.000Z`).
    public var eventTime: String
    /// A UUID.
    public var runID: String
    public var runFacets: [JSONMember]
    public var jobNamespace: String
    public var jobName: String
    public var jobFacets: [JSONMember]
    public var inputs: [Dataset]
    public var outputs: [Dataset]

    public init(
        eventType: EventType, eventTime: String, runID: String, runFacets: [JSONMember] = [], jobNamespace: String, jobName: String,
        jobFacets: [JSONMember] = [], inputs: [Dataset] = [], outputs: [Dataset] = []
    ) {
        self.eventType = eventType
        self.eventTime = eventTime
        self.runID = runID
        self.runFacets = runFacets
        self.jobNamespace = jobNamespace
        self.jobName = jobName
        self.jobFacets = jobFacets
        self.inputs = inputs
        self.outputs = outputs
    }

    public var json: JSONValue {
        .object([
            JSONMember("eventType", .string(eventType.rawValue)), JSONMember("eventTime", .string(eventTime)),
            JSONMember("run", .object([JSONMember("runId", .string(runID)), JSONMember("facets", .object(runFacets))])),
            JSONMember(
                "job",
                .object([
                    JSONMember("namespace", .string(jobNamespace)), JSONMember("name", .string(jobName)),
                    JSONMember("facets", .object(jobFacets)),
                ])),
            JSONMember("inputs", .array(inputs.map(\.json))), JSONMember("outputs", .array(outputs.map(\.json))),
            JSONMember("producer", .string(Facets.producer)), JSONMember("schemaURL", .string(Self.schemaURL)),
        ])
    }
}

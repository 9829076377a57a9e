import Manifests
import SyncEngine

extension PlanReport {
    /// `-o json`: everything in the report, for scripts and CI artifacts.
    public var json: JSONValue {
        func commit(_ c: PlanCommit) -> JSONValue {
            .object([JSONMember("id", .string(c.id)), JSONMember("summary", .string(c.summary)), JSONMember("author", .string(c.author))])
        }
        var summary: [JSONMember] = ManifestChangeKind.allOrdered.map { JSONMember($0.rawValue, .int(Int64(count($0)))) }
        if server != nil {
            for outcome in [ApplyOutcome.created, .configured, .pruned, .refused] {
                summary.append(JSONMember(outcome.rawValue, .int(Int64(count(outcome)))))
            }
        }
        summary.append(JSONMember("unchanged", .int(Int64(unchanged))))
        var members: [JSONMember] = [
            JSONMember("base", commit(base)), JSONMember("head", commit(head)), JSONMember("path", .string(path)),
            JSONMember("server", server.map(JSONValue.string) ?? .null), JSONMember("applyset", applySet.map(JSONValue.string) ?? .null),
            JSONMember("exitCode", .int(Int64(exitCode))), JSONMember("blocking", .bool(isBlocking)),
            JSONMember("summary", .object(summary)),
            JSONMember("errors", .array(errors.map(Self.diagnosticJSON))),
            JSONMember("findings", .array(findings.map(\.json))),
            JSONMember("objects", .array(objects.map(\.json))),
        ]
        if errors.isEmpty { members.removeAll { $0.key == "errors" } }
        return .object(members)
    }

    static func diagnosticJSON(_ d: Diagnostic) -> JSONValue {
        .object([
            JSONMember("file", .string(d.file)), JSONMember("line", .int(Int64(d.line))), JSONMember("column", .int(Int64(d.column))),
            JSONMember("path", .string(d.path)), JSONMember("message", .string(d.message)),
        ])
    }
}

extension ManifestChangeKind {
    static let allOrdered: [ManifestChangeKind] = [.added, .changed, .removed, .renamed]
}

extension ReviewFinding {
    var json: JSONValue {
        .object([
            JSONMember("code", .string(code.rawValue)), JSONMember("blocking", .bool(blocking)), JSONMember("message", .string(message)),
        ])
    }
}

extension QualityFinding {
    public var json: JSONValue {
        var members = [
            JSONMember("rule", .string(rule)), JSONMember("check", .string(check)), JSONMember("severity", .string(severity)),
            JSONMember("outcome", .string(outcome.rawValue)),
        ]
        if let observed { members.append(JSONMember("observed", .string(observed))) }
        if let unexpectedCount { members.append(JSONMember("unexpectedCount", .int(Int64(unexpectedCount)))) }
        members.append(JSONMember("message", .string(message)))
        return .object(members)
    }
}

extension PlanObject {
    var json: JSONValue {
        var members = [JSONMember("object", .string(ref.description))]
        if let change { members.append(JSONMember("change", .string(change.rawValue))) }
        if let renamedFrom { members.append(JSONMember("renamedFrom", .string(renamedFrom.description))) }
        if !diff.isEmpty { members.append(JSONMember("diff", .string(diff))) }
        if let live {
            var server = [JSONMember("result", .string(live.outcome.rawValue))]
            if !live.changes.isEmpty { server.append(JSONMember("changes", .array(live.changes.map(\.json)))) }
            if let message = live.message { server.append(JSONMember("message", .string(message))) }
            if !live.diff.isEmpty { server.append(JSONMember("diff", .string(live.diff))) }
            members.append(JSONMember("server", .object(server)))
        }
        if !findings.isEmpty { members.append(JSONMember("findings", .array(findings.map(\.json)))) }
        if let quality {
            var q = [JSONMember("evaluated", .bool(quality.evaluated)), JSONMember("checks", .array(quality.findings.map(\.json)))]
            if let live = quality.liveVersion { q.append(JSONMember("liveVersion", .string(live))) }
            if let note = quality.note { q.append(JSONMember("note", .string(note))) }
            members.append(JSONMember("quality", .object(q)))
        }
        return .object(members)
    }
}

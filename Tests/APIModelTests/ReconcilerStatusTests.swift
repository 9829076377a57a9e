import APIModel
import Manifests
import Testing

/// `GET /status` as dpctl reads it: a good status round-trips, a bad one names the field.
@Suite struct ReconcilerStatusTests {
    static let commit = String(repeating: "0f", count: 20)

    static let full = ReconcilerStatus(sources: [
        SourceStatus(
            name: "examples", url: "https://git.example.com/data.git", ref: "main", path: "manifests", owner: "reconciler-a",
            lastAttemptedCommit: commit, lastAppliedCommit: commit, result: .synced, counts: ["created": 2, "unchanged": 12],
            durationMs: 140, attemptedAt: "2026-11-30T12:00:00.000000Z", appliedAt: "2026-11-30T12:00:00.000000Z",
            history: [
                SyncHistoryEntry(commit: commit, result: .synced, counts: ["created": 2], durationMs: 140),
                SyncHistoryEntry(commit: nil, result: .error, error: "git: the remote did not answer"),
            ]),
        SourceStatus(name: "pending"),
    ])

    static func replacing(_ key: String, with value: JSONValue, inHistory: Bool = false) -> JSONValue {
        var source = full.json["sources"]!.arrayValue![0].objectValue!
        if inHistory {
            var entries = source.first { $0.key == "history" }!.value.arrayValue!
            var entry = entries[0].objectValue!
            entry.removeAll { $0.key == key }
            entry.append(JSONMember(key, value))
            entries[0] = .object(entry)
            source.removeAll { $0.key == "history" }
            source.append(JSONMember("history", .array(entries)))
        } else {
            source.removeAll { $0.key == key }
            source.append(JSONMember(key, value))
        }
        return .object([JSONMember("sources", .array([.object(source)]))])
    }

    @Test func aStatusRoundTripsAndFindsItsSources() throws {
        let decoded = try ReconcilerStatus.decode(Self.full.json)
        #expect(decoded == Self.full)
        #expect(decoded.source("examples")?.lastAppliedCommit == Self.commit)
        #expect(decoded.source("pending")?.result == nil)
        #expect(decoded.source("elsewhere") == nil)
    }

    @Test(arguments: [
        (replacing("name", with: "Not A Name"), "sources[0].name"),
        (replacing("lastAppliedCommit", with: "abc"), "sources[0].lastAppliedCommit"),
        (replacing("result", with: "maybe"), "sources[0].result"),
        (replacing("counts", with: ["created": -1]), "sources[0].counts"),
        (replacing("counts", with: ["created": "two"]), "sources[0].counts.created"),
        (replacing("commit", with: "abc", inHistory: true), "sources[0].history[0].commit"),
        (replacing("result", with: .null, inHistory: true), "sources[0].history[0].result"),
        (JSONValue.object([]), "sources"),
    ])
    func aBadStatusNamesTheField(body: JSONValue, field: String) {
        #expect(throws: BodyError.self) { try ReconcilerStatus.decode(body) }
        do {
            _ = try ReconcilerStatus.decode(body)
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }
}

/// The largest body on the wire, an apply set of a big source, goes out whole.
@Suite struct LargeBodyTests {
    @Test func anApplySetOfOneHundredAndFiftyThousandMembersIsEncodedWhole() throws {
        let members = Set((0..<150_000).map { ObjectRef(.dataset, "d-\($0)") })
        let body = ApplySetBody(members: members)
        #expect(body.json["members"]?.arrayValue?.count == 150_000)
        #expect(try ApplySetBody.decode(body.json) == body)
    }
}

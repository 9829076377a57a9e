import APIModel
import Manifests
import Testing

/// Bad bodies, as the server meets them: each names the field and what it must be.
@Suite struct WireBodyTests {
    static let commit = String(repeating: "0f", count: 20)

    static func syncBody(_ change: (inout [JSONMember]) -> Void) -> JSONValue {
        var members = WireContractTests.fullSync.json.objectValue ?? []
        change(&members)
        return .object(members)
    }

    static func replacing(_ key: String, with value: JSONValue) -> JSONValue {
        syncBody { members in
            members.removeAll { $0.key == key }
            members.append(JSONMember(key, value))
        }
    }

    @Test(arguments: [
        (replacing("source", with: "Not A Name"), "source"),
        (replacing("commit", with: "abc"), "commit"),
        (replacing("commit", with: 42), "commit"),
        (replacing("result", with: "error"), "result"),
        (replacing("result", with: "maybe"), "result"),
        (replacing("message", with: .string(String(repeating: "é", count: 5000))), "message"),
        (replacing("author", with: .string(String(repeating: "a", count: 513))), "author"),
        (replacing("counts", with: ["created": -1]), "counts"),
        (replacing("counts", with: ["created": "two"]), "counts.created"),
        (syncBody { $0.removeAll { $0.key == "source" } }, "source"),
        (JSONValue.array([]), ""),
    ])
    func badSyncEventsNameTheField(body: JSONValue, field: String) {
        #expect(throws: BodyError.self) { try SyncEvent.decode(body) }
        do {
            _ = try SyncEvent.decode(body)
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(!error.expectation.isEmpty)
        }
    }

    @Test func aGoodSyncEventRoundTrips() throws {
        #expect(try SyncEvent.decode(WireContractTests.fullSync.json) == WireContractTests.fullSync)
    }

    /// A long message of multi-byte characters is cut to what the server takes, not refused.
    @Test func theClientClipsTextToTheServersLimits() throws {
        let event = SyncEvent(source: "demo", commit: Self.commit, result: .error, message: String(repeating: "é", count: 5000))
        #expect(event.message!.utf8.count <= SyncEvent.maxText)
        #expect(event.result == .failed)
        #expect(try SyncEvent.decode(event.json) == event)
        #expect(clipped("añb", toUTF8Bytes: 2) == "a")
    }

    @Test func aLargeDriftKeepsEveryPathAndDropsValuesPastTheBudget() throws {
        let big = JSONValue.string(String(repeating: "x", count: 4000))
        let fields = (0..<300).map { FieldDrift(path: "/spec/f\($0)", desired: big, live: big) }
        let event = DriftEvent(
            source: "demo", event: .detected, object: ObjectRef(.dataset, "churn"), drift: .modified, commit: nil,
            repository: nil, fields: fields, changedBy: nil)
        #expect(event.fields?.count == DriftEvent.maxFields)
        #expect(event.fields?.first?.desired == big)
        #expect(event.fields?.last?.desired == nil)
        #expect(try DriftEvent.decode(event.json) == event)
    }

    @Test(arguments: [
        ("{\"source\":\"demo\",\"event\":\"seen\",\"object\":\"dataset/churn\",\"drift\":\"modified\"}", "event"),
        ("{\"source\":\"demo\",\"event\":\"detected\",\"object\":\"dataset\",\"drift\":\"modified\"}", "object"),
        ("{\"source\":\"demo\",\"event\":\"detected\",\"object\":\"table/churn\",\"drift\":\"modified\"}", "object"),
        ("{\"source\":\"demo\",\"event\":\"detected\",\"object\":\"dataset/Churn!\",\"drift\":\"modified\"}", "object"),
        ("{\"source\":\"demo\",\"event\":\"detected\",\"object\":\"dataset/churn\",\"drift\":\"gone\"}", "drift"),
        (
            "{\"source\":\"demo\",\"event\":\"detected\",\"object\":\"dataset/churn\",\"drift\":\"modified\",\"fields\":[{}]}",
            "fields[0].path"
        ),
        (
            "{\"source\":\"demo\",\"event\":\"detected\",\"object\":\"dataset/churn\",\"drift\":\"modified\",\"changedBy\":{\"actor\":1}}",
            "changedBy.actor"
        ),
    ])
    func badDriftEventsNameTheField(text: String, field: String) throws {
        guard case .success(let body) = JSONText.parse(text) else { throw CheckFailure("test body does not parse: \(text)") }
        do {
            _ = try DriftEvent.decode(body)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }

    @Test func pathsEncodeEveryName() {
        #expect(APIPath.version("v 1/../x", of: "churn?") == "/api/datasets/churn%3F/versions/v%201%2F..%2Fx")
        #expect(APIPath.artifact("model.bin", run: "r-1") == "/api/experiment-runs/r-1/artifacts/model.bin")
        #expect(APIPath.item(ObjectRef(.qualityRule, "a b"), dataset: nil) == "/api/qualityrules/a%20b")
        #expect(APIPath.query([("resource", "dataset/churn"), ("q", "a&b=c")]) == "resource=dataset%2Fchurn&q=a%26b%3Dc")
        #expect(APIPath.auditEvent(7) == "/api/audit/events/7")
    }

    @Test func objectReferencesAreKindSlashNameOnTheWire() throws {
        #expect(ObjectRef("datasetversion/churn-1") == ObjectRef(.datasetVersion, "churn-1"))
        #expect(ObjectRef("nope/churn") == nil)
        #expect(
            ApplySetBody(members: [ObjectRef(.run, "b"), ObjectRef(.dataset, "a")]).json.jsonString(pretty: false)
                == "{\"members\":[\"dataset/a\",\"run/b\"]}")
    }
}

extension WireBodyTests {
    @Test func anUnknownWordIsRefusedWithTheWordsKnown() {
        do {
            _ = try SyncEvent.decode(Self.replacing("result", with: "done"))
            Issue.record("accepted result done")
        } catch {
            #expect(error.description == "result: one of synced, failed, invalid, error, not \"done\"")
        }
    }
}

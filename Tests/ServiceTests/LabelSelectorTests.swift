import Hummingbird
import HummingbirdTesting
import Manifests
import ServiceKit
import Testing

@Suite struct LabelSelectorTests {
    @Test func everyRequirementBecomesAParameterisedCondition() async throws {
        try await withTestApp { client in
            let answer = try await client.execute(uri: "/selector?label_selector=team%3Dgrowth,tier!%3Dgold,pii,!deprecated", method: .get)
            #expect(answer.status == .ok)
            #expect(
                answer.json["conditions"]?.arrayValue?.compactMap(\.stringValue) == [
                    "labels->>$1 = $2", "coalesce(labels->>$3 <> $4, true)", "labels ? $5", "not (labels ? $6)",
                ])
            #expect(
                answer.json["parameters"]?.arrayValue?.compactMap(\.stringValue) == ["team", "growth", "tier", "gold", "pii", "deprecated"])
            let none = try await client.execute(uri: "/selector?label_selector=", method: .get)
            #expect(none.json["conditions"]?.arrayValue?.isEmpty == true, "an empty selector selects everything")
        }
    }

    @Test func valuesNeverReachTheSQL() throws {
        let selector = try LabelSelector(parsing: "team=x' or '1'='1")
        let (conditions, parameters) = selector.sql(column: "labels", firstParameter: 3)
        #expect(conditions == ["labels->>$3 = $4"])
        #expect(parameters == ["team", "x' or '1'='1"])
    }

    @Test(arguments: ["=growth", "te am=x", "!", "a(b)=c", "!=x"])
    func anUnreadableSelectorIsABadRequest(_ selector: String) async throws {
        let encoded = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? selector
        try await withTestApp { client in
            let refused = try await client.execute(uri: "/selector?label_selector=\(encoded)", method: .get)
            #expect(refused.status == .badRequest, "\(selector): \(refused.text)")
            #expect(refused.json["title"]?.stringValue == "Bad label selector")
            #expect(refused.json["detail"]?.stringValue?.contains("write requirements like team=growth") == true)
        }
    }
}

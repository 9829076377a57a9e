import Hummingbird
import HummingbirdTesting
import Manifests
import ServiceKit
import Testing

@Suite struct PaginationTests {
    @Test func pageSizeDefaultsAndBounds() async throws {
        try await withTestApp { client in
            let plain = try await client.execute(uri: "/page", method: .get)
            #expect(plain.status == .ok)
            #expect(plain.json["size"]?.numberValue == Double(PageRequest.defaultSize))
            #expect(plain.json["after"] == .null)
            #expect(try await client.execute(uri: "/page?page_size=1000", method: .get).json["size"]?.numberValue == 1000)
            for bad in ["0", "1001", "-5", "ten", "2.5"] {
                let refused = try await client.execute(uri: "/page?page_size=\(bad)", method: .get)
                #expect(refused.status == .badRequest, "page_size=\(bad)")
                #expect(refused.json["title"]?.stringValue == "Bad page_size")
                #expect(refused.json["detail"]?.stringValue == "page_size must be a whole number from 1 to 1000, got \"\(bad)\"")
            }
        }
    }

    @Test func aTokenIsTheLastKeyOfThePageBefore() async throws {
        let token = PageRequest.token(after: "dataset/churn ü")
        #expect(!token.contains("/") && !token.contains("+") && !token.contains("="), "base64url: \(token)")
        try await withTestApp { client in
            let next = try await client.execute(uri: "/page?page_token=\(token)&page_size=2", method: .get)
            #expect(next.json["after"]?.stringValue == "dataset/churn ü")
            #expect(next.json["size"]?.numberValue == 2)
            #expect(
                try await client.execute(uri: "/page?page_token=", method: .get).json["after"] == .null, "an empty token is the first page")
        }
    }

    @Test(arguments: ["not*base64", "%FF%FE", "_w"])
    func aTokenTheServerDidNotIssueIsRefused(_ token: String) async throws {
        try await withTestApp { client in
            let refused = try await client.execute(uri: "/page?page_token=\(token)", method: .get)
            #expect(refused.status == .badRequest)
            #expect(refused.json["title"]?.stringValue == "Bad page_token")
            #expect(refused.json["detail"]?.stringValue?.contains("start again without it") == true)
        }
    }
}

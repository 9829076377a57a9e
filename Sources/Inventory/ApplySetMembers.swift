import Manifests
import ServiceKit

/// The members of an apply set: `kind/name`, each kind one of the manifest kinds in lower case
/// and each name a DNS subdomain; stored sorted and without duplicates.
enum ApplySetMembers {
    static let kinds = ManifestKind.allCases.map(\.singular)

    /// The members of a PUT body `{"members": [...]}`: 400 when the body has no such list,
    /// 422 naming the index of the first bad member.
    static func parse(_ body: [UInt8]) throws -> [String] {
        guard case .success(let value) = JSONText.parse(body), case .object = value else {
            throw Problem(.badRequest, title: "Bad body", detail: "send a JSON object {\"members\": [\"dataset/churn\", ...]}")
        }
        guard let list = value["members"]?.arrayValue else {
            throw Problem(.badRequest, title: "Bad members", detail: "members must be a list of kind/name strings, e.g. [\"dataset/churn\"]")
        }
        var members: Set<String> = []
        for (index, element) in list.enumerated() {
            if let problem = check(element) {
                throw Problem(.unprocessableContent, title: "Bad member", detail: "members[\(index)]: \(problem)",
                              extensions: [JSONMember("index", .int(Int64(index)))])
            }
            members.insert(element.stringValue!)
        }
        return members.sorted()
    }

    static func check(_ element: JSONValue) -> String? {
        guard let text = element.stringValue else { return "each member is a string kind/name, e.g. \"dataset/churn\"" }
        guard let slash = text.firstIndex(of: "/") else { return "\"\(text)\" is not kind/name, e.g. \"dataset/churn\"" }
        let kind = String(text[..<slash])
        let name = String(text[text.index(after: slash)...])
        guard kinds.contains(kind) else {
            return "\"\(kind)\" is not a kind; kinds are \(kinds.joined(separator: ", "))" + Suggest.hint(for: kind, in: kinds)
        }
        guard StringFormat.dnsSubdomain.accepts(name) else { return "name \"\(name)\" must be \(StringFormat.dnsSubdomain.expectation)" }
        return nil
    }
}

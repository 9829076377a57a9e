import APIModel
import Manifests
import ServiceKit

/// The members of an apply set: `kind/name`, each kind one of the manifest kinds in lower case
/// and each name a DNS subdomain; stored sorted and without duplicates.
enum ApplySetMembers {
    static let kinds = ManifestKind.allCases.map(\.singular)
    /// An apply set may list this many members (a source of that many manifests), in a body of
    /// at most `maxBodyBytes`: far past the 100,000 values and 1 MiB other bodies may have.
    static let maxMembers = ApplySetBody.maxMembers
    static let maxBodyBytes = 32 << 20

    /// The members of a PUT body `{"members": [...]}`: 400 when the body is not JSON (naming
    /// where) or has no such list, 413 past `maxMembers`, 422 naming the index of the first bad member.
    static func parse(_ body: [UInt8]) throws -> [String] {
        let value: JSONValue
        switch JSONText.parse(body, maxValues: ApplySetBody.maxJSONValues) {
        case .success(let parsed): value = parsed
        case .failure(let error) where error.exceedsLimit:
            throw Problem(
                .contentTooLarge, title: "Too many members",
                detail: "an apply set has at most \(maxMembers) members (\(error)); split the source into several, one path each")
        case .failure(let error):
            throw Problem(.badRequest, title: "Bad JSON", detail: "the body is not valid JSON: \(error)")
        }
        guard case .object = value else {
            throw Problem(.badRequest, title: "Bad body", detail: "send a JSON object {\"members\": [\"dataset/churn\", ...]}")
        }
        guard let list = value["members"]?.arrayValue else {
            throw Problem(
                .badRequest, title: "Bad members", detail: "members must be a list of kind/name strings, e.g. [\"dataset/churn\"]")
        }
        guard list.count <= maxMembers else {
            throw Problem(
                .contentTooLarge, title: "Too many members",
                detail:
                    "an apply set has at most \(maxMembers) members, this one \(list.count); split the source into several, one path each")
        }
        var members: Set<String> = []
        for (index, element) in list.enumerated() {
            switch check(element) {
            case .success(let ref): members.insert(ref.description)
            case .failure(let problem):
                throw Problem(
                    .unprocessableContent, title: "Bad member", detail: "members[\(index)]: \(problem.expectation)",
                    errors: [ProblemDetails.ValidationError(path: "members[\(index)]", code: "invalidValue", message: problem.expectation)],
                    extensions: [JSONMember("index", .int(Int64(index)))])
            }
        }
        return members.sorted()
    }

    static func check(_ element: JSONValue) -> Result<ObjectRef, BodyError> {
        func bad(_ expectation: String) -> Result<ObjectRef, BodyError> { .failure(BodyError("", expectation)) }
        guard let text = element.stringValue else { return bad("each member is a string kind/name, e.g. \"dataset/churn\"") }
        guard let slash = text.firstIndex(of: "/") else { return bad("\"\(text)\" is not kind/name, e.g. \"dataset/churn\"") }
        let kind = String(text[..<slash])
        let name = String(text[text.index(after: slash)...])
        guard kinds.contains(kind) else {
            return bad("\"\(kind)\" is not a kind; kinds are \(kinds.joined(separator: ", "))" + Suggest.hint(for: kind, in: kinds))
        }
        guard StringFormat.dnsSubdomain.accepts(name), let ref = ObjectRef(text) else {
            return bad("name \"\(name)\" must be \(StringFormat.dnsSubdomain.expectation)")
        }
        return .success(ref)
    }
}

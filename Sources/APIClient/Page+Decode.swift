import APIModel
import Manifests

extension Page where Item == JSONValue {
    /// A list answer; one that is not a page is an error naming the request.
    static func decode(_ body: [UInt8], from request: String) throws -> Page {
        guard case .success(let value) = JSONText.parse(body), let items = value["items"]?.arrayValue else {
            throw APIError(code: .other, status: nil, problem: nil, message: "\(request): the answer is not a page of items")
        }
        return Page(items: items, nextPageToken: value["next_page_token"]?.stringValue)
    }
}

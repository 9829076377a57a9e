/// One page of a list: `{"items": [...], "next_page_token": "..."}`. The token is opaque: a
/// client sends it back as `page_token` and never builds one.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case items
        case nextPageToken = "next_page_token"
    }

    public init(items: [Item], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }

    /// The query parameters of a page request.
    public static func query(size: Int, token: String?) -> [(String, String)] {
        [("page_size", String(size))] + (token.map { [("page_token", $0)] } ?? [])
    }
}

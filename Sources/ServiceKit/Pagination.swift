import Foundation
import Hummingbird
import Manifests

/// `page_size` and `page_token`, as the API's list routes take them. Tokens are opaque to
/// clients: base64url of the last key of the previous page.
public struct PageRequest: Sendable {
    public var size: Int
    public var after: String?

    public static let defaultSize = 100
    public static let maxSize = 1000

    public init(request: Request) throws {
        let query = request.uri.queryParameters
        if let raw = query["page_size"] {
            guard let n = Int(raw), n >= 1, n <= Self.maxSize else {
                throw Problem(
                    .badRequest, title: "Bad page_size",
                    detail: "page_size must be a whole number from 1 to \(Self.maxSize), got \"\(raw)\"")
            }
            size = n
        } else {
            size = Self.defaultSize
        }
        if let token = query["page_token"], !token.isEmpty {
            guard let key = Self.decode(String(token)) else {
                throw Problem(
                    .badRequest, title: "Bad page_token", detail: "page_token is not one this server issued; start again without it")
            }
            after = key
        }
    }

    public static func token(after key: String) -> String { Base64URL.encode(key.utf8) }

    static func decode(_ token: String) -> String? {
        Base64URL.decode(token).flatMap { String(bytes: $0, encoding: .utf8) }
    }
}

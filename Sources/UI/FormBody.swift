import Foundation

/// An `application/x-www-form-urlencoded` body (what an HTML form posts), decoded: `+` is a
/// space, `%XX` a byte; later duplicates of a name are ignored.
struct FormBody: Sendable {
    private(set) var fields: [String: String] = [:]

    init(_ bytes: [UInt8]) {
        for pair in String(decoding: bytes, as: UTF8.self).split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            guard fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
    }

    subscript(name: String) -> String? { fields[name] }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

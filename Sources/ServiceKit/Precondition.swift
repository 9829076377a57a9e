import Foundation

/// `If-Match` against an object's current ETag: absent or `*` passes; otherwise one of the
/// listed tags must be the current one, or the write is refused with 412.
public enum Precondition {
    public static func check(_ ifMatch: String?, etag: String) throws {
        guard let ifMatch, ifMatch != "*" else { return }
        let tags = ifMatch.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard tags.contains(etag) else {
            throw Problem(
                .preconditionFailed, title: "Precondition failed",
                detail:
                    "If-Match \(ifMatch) does not match the current ETag \(etag); someone changed it first: GET it again and reapply your change"
            )
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird

/// Every answer the UI gives carries the same protective headers: a Content-Security-Policy
/// that allows only this origin's stylesheet and script (no inline script or style, no frames,
/// forms post only here), `nosniff`, no referrer, no caching of pages that show a user's data.
enum UIResponse {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func headers(contentType: String, cache: String = "no-store") -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        fields[.contentSecurityPolicy] = contentSecurityPolicy
        fields[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        fields[HTTPField.Name("X-Frame-Options")!] = "DENY"
        fields[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        fields[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        fields[.cacheControl] = cache
        return fields
    }

    static func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: headers(contentType: "text/html; charset=utf-8"),
            body: .init(byteBuffer: ByteBuffer(string: page.text)))
    }

    /// 303 See Other: after a form post, the browser GETs `location`.
    static func redirect(_ location: String) -> Response {
        var fields = headers(contentType: "text/plain; charset=utf-8")
        fields[.location] = location
        return Response(status: .seeOther, headers: fields)
    }

    static func asset(_ text: String, contentType: String) -> Response {
        Response(
            status: .ok, headers: headers(contentType: contentType, cache: "public, max-age=300"),
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

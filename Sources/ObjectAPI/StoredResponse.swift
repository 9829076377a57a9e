import HTTPTypes
import Hummingbird
import Manifests

extension Response {
    /// A response from a stored (status, JSON body), with the ETag of the object it carries and,
    /// for a 201, its location.
    public static func stored(_ outcome: (status: Int, body: String), location: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if case .success(let object) = JSONText.parse(outcome.body), object["metadata"] != nil {
            headers[.eTag] = ObjectJSON.etag(object)
        }
        if let location, outcome.status == 201 { headers[.location] = location }
        return Response(
            status: HTTPResponse.Status(code: outcome.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: outcome.body)))
    }
}

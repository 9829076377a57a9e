import Curl
import Foundation

extension APIClient {
    /// A body read as it arrives, never whole in memory: `GET path`'s answer chunk by chunk.
    /// The transfer runs on a blocking thread and waits while the reader is behind; a reader
    /// that stops early (`cancel`) ends it. A non-2xx answer (or a failed transfer) is thrown
    /// by `next()` as `APIError`, before any chunk.
    public final class Download: Sendable {
        let channel: ChunkChannel

        init(channel: ChunkChannel) { self.channel = channel }

        /// The next chunk, nil at the end.
        public func next() async throws -> [UInt8]? { try await channel.next() }

        /// Stops the transfer (the reader went away).
        public func cancel() { channel.cancel() }
    }

    /// Starts `GET path` for reading with `Download.next()`; `timeoutSeconds` bounds the whole transfer.
    public func download(_ path: String, headers: [(String, String)] = [], timeoutSeconds: Int = 3600) -> Download {
        var allHeaders = commonHeaders + headers
        if let token { allHeaders.append(("Authorization", "Bearer \(token)")) }
        let request = HTTPRequest(method: "GET", url: server + path, headers: allHeaders, body: .none, timeoutSeconds: timeoutSeconds)
        let channel = ChunkChannel()
        let server = self.server
        Task { [io] in
            let outcome: Result<HTTPResponse, CurlError> = await io.run {
                Result { () throws(CurlError) in
                    try Transfer().perform(request, into: .stream { bytes in channel.put(Array(bytes)) })
                }
            }
            switch outcome {
            case .success(let response) where (200..<300).contains(response.status): channel.finish()
            case .success(let response):
                channel.finish(APIError.from(status: response.status, body: response.body, method: "GET", path: path))
            case .failure(let error):
                channel.finish(
                    APIError(
                        code: .unreachable, status: nil, problem: nil,
                        message: "the download from \(server) did not complete (\(error.message))"))
            }
        }
        return Download(channel: channel)
    }
}

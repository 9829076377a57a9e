import NIOCore
import ServiceKit

extension ServerConfiguration {
    /// The connection settings as the server applies them (before `fitOpenFileLimit`).
    public var connectionLimits: ConnectionLimits {
        ConnectionLimits(
            headerTimeout: .seconds(Int64(headerTimeoutSeconds)), idleTimeout: .seconds(Int64(idleTimeoutSeconds)),
            bodyTimeout: .seconds(Int64(bodyTimeoutSeconds)), maxConnections: maxClientConnections)
    }
}

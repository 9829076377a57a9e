import Logging
import Redaction

/// Wraps a log handler so no line carries a credential: the message and every metadata value
/// go through `Redact.credentials` (URLs with userinfo, `password=` settings) before the
/// wrapped handler writes them. `LogOutput.bootstrap` installs it around both formats.
public struct RedactingLogHandler: LogHandler {
    public var wrapped: any LogHandler

    public init(_ wrapped: any LogHandler) { self.wrapped = wrapped }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: Redact.credentials(event.message.description))
        event.metadata = event.metadata.map { $0.mapValues(Self.redacted) }
        wrapped.log(event: event)
    }

    static func redacted(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): return .string(Redact.credentials(text))
        case .stringConvertible(let convertible): return .string(Redact.credentials(convertible.description))
        case .array(let items): return .array(items.map(redacted))
        case .dictionary(let members): return .dictionary(members.mapValues(redacted))
        }
    }
}

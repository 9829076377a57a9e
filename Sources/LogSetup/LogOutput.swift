import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How `datapilot-server` and `dpctl reconcile` write their logs: swift-log's text lines on a
/// terminal, one JSON object per line otherwise (a pod's log, a file, a pipe), so log collectors
/// get fields instead of text to parse. `DATAPILOT_LOG_FORMAT` (`json`, `text`, `auto`) and
/// `DATAPILOT_LOG_LEVEL` (`trace` ... `critical`, default `info`) override the choice.
public enum LogOutput {
    public enum Format: String, Sendable { case json, text }

    /// The format for this process: the variable when set, else JSON unless stderr is a terminal.
    public static func format(environment: [String: String], standardErrorIsTerminal: Bool = isatty(2) == 1) -> Format {
        switch environment["DATAPILOT_LOG_FORMAT"]?.lowercased() {
        case "json": return .json
        case "text": return .text
        default: return standardErrorIsTerminal ? .text : .json
        }
    }

    public static func level(environment: [String: String]) -> Logger.Level {
        environment["DATAPILOT_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    }

    /// Bootstraps swift-log once per process (later calls do nothing).
    public static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let format = format(environment: environment)
        let level = level(environment: environment)
        once.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return RedactingLogHandler(handler)
            }
        }
    }

    private static let once = Mutex(false)
}

/// One JSON object per line on stderr: `time` (RFC 3339, UTC, milliseconds), `level`, `logger`,
/// `message`, `caller` (file:line, for errors), then the metadata's keys. Callers never put
/// secrets in messages or metadata.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        var object: [String: Any] = [:]
        for (key, value) in fields { object[key] = Self.plain(value) }
        object["time"] = Self.timestamp(Date())
        object["level"] = event.level.rawValue
        object["logger"] = label
        object["message"] = event.message.description
        if event.level >= .error { object["caller"] = "\(event.file):\(event.line)" }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
            let line = String(data: data, encoding: .utf8)
        else { return }
        write(line + "\n")
    }

    static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return convertible.description
        case .array(let items): return items.map(plain)
        case .dictionary(let members): return members.mapValues(plain)
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}

import Compression
import Foundation
import Manifests

/// Evaluates quality rules over one data file in a single streaming pass.
///
/// ```swift
/// var evaluator = try Evaluator(rules: rules, format: .csv, now: Date())
/// try evaluator.feed(chunk)          // any number of chunks, split anywhere
/// let report = evaluator.finish()
/// ```
///
/// Gzip is recognised by its magic bytes (1f 8b) whatever `format` says, so a stored version
/// declared `csv` may be compressed. Memory: the unfinished row, one 128-bit hash per distinct
/// tuple of each unique check, and the samples. See docs/quality.md for the semantics of every
/// check (nulls, ragged rows, invalid UTF-8, thresholds, outcomes).
public struct Evaluator {
    private final class Core {
        let engine: RowEngine
        let csv: CSVReader?
        let jsonl: JSONLReader?
        let format: DataFormat
        var gzip: GzipDecoder?
        var sniffed = false
        var sniff: [UInt8] = []
        var bytes = 0
        var finished = false

        init(engine: RowEngine, format: DataFormat) {
            self.engine = engine
            self.format = format
            csv = format.layout == .csv ? CSVReader(engine: engine) : nil
            jsonl = format.layout == .jsonl ? JSONLReader(engine: engine) : nil
        }

        func parse(_ bytes: UnsafeRawBufferPointer) {
            if let csv { csv.feed(bytes) } else { jsonl?.feed(bytes) }
        }

        func route(_ bytes: UnsafeRawBufferPointer) throws {
            if let gzip {
                do {
                    try gzip.decode(bytes) { parse($0) }
                } catch let error as CompressionError {
                    throw QualityEngineError(.corrupt, error.message)
                }
            } else {
                parse(bytes)
            }
        }

        func startStream(_ leading: [UInt8]) throws {
            sniffed = true
            if DataFormat.isGzip(leading) {
                do { gzip = try GzipDecoder() } catch let error as CompressionError {
                    throw QualityEngineError(.corrupt, error.message)
                }
            } else if format.gzip && !leading.isEmpty {
                engine.issue("the data is not gzip-compressed (no 1f 8b header): read as plain \(format.layout.rawValue)")
            }
        }
    }

    private let core: Core

    /// Prepares the checks of `rules`. Malformed rules and checks become ERROR results in the
    /// report; nothing here throws for them.
    public init(rules: [QualityRuleInput], format: DataFormat, now: Date) throws {
        core = Core(engine: RowEngine(rules: rules, now: now), format: format)
    }

    /// Feeds the next bytes of the file (compressed bytes for gzip). Throws only for damaged gzip.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws {
        guard !core.finished else { throw QualityEngineError(.finished, "feed after finish") }
        core.bytes += bytes.count
        if !core.sniffed {
            core.sniff.append(contentsOf: bytes)
            guard core.sniff.count >= 2 else { return }
            let leading = core.sniff
            core.sniff = []
            try core.startStream(leading)
            try leading.withUnsafeBytes { try core.route($0) }
            return
        }
        try core.route(bytes)
    }

    public mutating func feed(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try feed($0) }
    }

    public mutating func feed(_ data: Data) throws {
        try data.withUnsafeBytes { try feed($0) }
    }

    /// Ends the input and reports. Later calls return the same kind of report again.
    public mutating func finish() -> EvaluationReport {
        if !core.finished {
            core.finished = true
            if !core.sniffed {
                let leading = core.sniff
                core.sniff = []
                do {
                    try core.startStream(leading)
                    try leading.withUnsafeBytes { try core.route($0) }
                } catch {
                    core.engine.issue("\(error)")
                }
            }
            if let gzip = core.gzip, gzip.insideMember {
                core.engine.issue("the gzip data ends early: the file is truncated")
            }
            core.csv?.finish()
            core.jsonl?.finish()
        }
        let engine = core.engine
        let headerKnown: Bool
        let reason: String
        if let csv = core.csv {
            headerKnown = csv.headerKnown
            reason = "the file has no header row, so it has no columns"
        } else {
            headerKnown = engine.rows > 0
            reason = "the file has no JSON object lines, so its columns are unknown"
        }
        let checks = engine.results(headerKnown: headerKnown, noHeaderReason: reason)
        let format = DataFormat(core.format.layout, gzip: core.gzip != nil)
        return EvaluationReport(
            format: format.description, rows: engine.rows, bytes: core.bytes,
            outcome: Outcome.overall(checks.map(\.outcome)), checks: checks, issues: engine.reportedIssues)
    }

    /// Streams the file at `url` through an evaluator in chunks of `chunkSize` bytes; the format
    /// comes from the file name and its first bytes unless given.
    public static func evaluate(
        fileAt url: URL, rules: [QualityRuleInput], format: DataFormat? = nil, now: Date = Date(),
        chunkSize: Int = 1 << 20
    ) throws -> EvaluationReport {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw QualityEngineError(.io, "cannot open \(url.path)")
        }
        defer { try? handle.close() }
        let descriptor = handle.fileDescriptor
        let size = max(4096, chunkSize)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var evaluator: Evaluator?
        while true {
            let count = read(descriptor, buffer.baseAddress, size)
            if count < 0 {
                if errno == EINTR { continue }
                throw QualityEngineError(.io, "cannot read \(url.path): \(String(cString: strerror(errno)))")
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            if evaluator == nil {
                let leading = Array(chunk.prefix(2))
                guard let chosen = format ?? DataFormat.detect(fileName: url.lastPathComponent, leadingBytes: leading) else {
                    throw QualityEngineError(
                        .unknownFormat,
                        "cannot tell the format of \(url.lastPathComponent): name it .csv, .jsonl or .ndjson (optionally .gz)")
                }
                evaluator = try Evaluator(rules: rules, format: chosen, now: now)
            }
            if count == 0 { break }
            try evaluator?.feed(chunk)
        }
        guard var evaluator else { throw QualityEngineError(.io, "cannot read \(url.path)") }
        return evaluator.finish()
    }
}

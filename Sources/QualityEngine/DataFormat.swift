/// The layout of a data file and whether it is gzip-compressed.
public struct DataFormat: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Layout: String, Sendable, Hashable, Codable {
        /// RFC 4180 CSV with a header row.
        case csv
        /// One JSON object per line (JSON Lines, NDJSON).
        case jsonl
    }

    public var layout: Layout
    public var gzip: Bool

    public init(_ layout: Layout, gzip: Bool = false) {
        self.layout = layout
        self.gzip = gzip
    }

    public static let csv = DataFormat(.csv)
    public static let jsonl = DataFormat(.jsonl)

    /// `csv`, `jsonl`, `csv.gz`, `jsonl.gz`.
    public var description: String { layout.rawValue + (gzip ? ".gz" : "") }

    /// The gzip magic number, 1f 8b.
    public static func isGzip(_ leadingBytes: some Sequence<UInt8>) -> Bool {
        Array(leadingBytes.prefix(2)) == [0x1F, 0x8B]
    }

    /// The format a file name says (`.csv`, `.jsonl`, `.ndjson`, each optionally followed by
    /// `.gz`), with gzip also recognised from the leading bytes when given. Nil when the name
    /// says neither CSV nor JSONL.
    public static func detect(fileName: String, leadingBytes: [UInt8] = []) -> DataFormat? {
        var name = fileName.lowercased()
        var gzip = isGzip(leadingBytes)
        if name.hasSuffix(".gz") {
            name.removeLast(3)
            gzip = leadingBytes.isEmpty ? true : gzip
        }
        if name.hasSuffix(".csv") { return DataFormat(.csv, gzip: gzip) }
        if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") { return DataFormat(.jsonl, gzip: gzip) }
        return nil
    }
}

import Compression
import Foundation
import Manifests
import TestSupport
import Testing

@testable import QualityEngine

/// gzip input: by name and by magic bytes, concatenated members, damage.
@Suite struct GzipTests {
    static let csv = "id,v\n" + (1...5000).map { "\($0),\($0 % 7 == 0 ? "" : "x\($0)")" }.joined(separator: "\n") + "\n"
    static let checks: [JSONValue] = [
        ["name": "m", "missing": ["column": "v"], "threshold": "20%"], ["name": "u", "unique": ["columns": ["id"]]],
    ]

    func gzip(_ file: URL) throws {
        let result = try Subprocess.run("gzip", ["-kf", file.path], combined: true)
        #expect(result.status == 0, "\(result.stdout)")
    }

    @Test func gzipFileMatchesPlain() throws {
        let folder = try scratchFolder("quality")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = folder.appendingPathComponent("data.csv")
        try Data(Self.csv.utf8).write(to: plain)
        try gzip(plain)
        let compressed = folder.appendingPathComponent("data.csv.gz")
        let a = try Evaluator.evaluate(fileAt: plain, rules: [rule(Self.checks)], now: fixedNow)
        let b = try Evaluator.evaluate(fileAt: compressed, rules: [rule(Self.checks)], now: fixedNow, chunkSize: 4096)
        #expect(a.format == "csv")
        #expect(b.format == "csv.gz")
        #expect(a.checks == b.checks)
        #expect(a.rows == 5000)
        #expect(a.check("m")?.unexpectedCount == 714)

        // Named .csv but gzip inside: the magic bytes decide.
        let disguised = folder.appendingPathComponent("disguised.csv")
        try FileManager.default.copyItem(at: compressed, to: disguised)
        let c = try Evaluator.evaluate(fileAt: disguised, rules: [rule(Self.checks)], now: fixedNow)
        #expect(c.format == "csv.gz")
        #expect(c.checks == a.checks)

        // Fed one byte at a time.
        let bytes = Array(try Data(contentsOf: compressed))
        let d = try evaluate(bytes: bytes, [rule(Self.checks)], chunk: 1)
        #expect(d.checks == a.checks)
    }

    @Test func concatenatedMembersAreOneStream() throws {
        let folder = try scratchFolder("quality")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("a.csv"), second = folder.appendingPathComponent("b.csv")
        try Data("id,v\n1,a\n2,b\n".utf8).write(to: first)
        try Data("3,c\n1,d\n".utf8).write(to: second)
        try gzip(first)
        try gzip(second)
        var joined = try Data(contentsOf: folder.appendingPathComponent("a.csv.gz"))
        joined.append(try Data(contentsOf: folder.appendingPathComponent("b.csv.gz")))
        let report = try evaluate(bytes: Array(joined), [rule(Self.checks)])
        #expect(report.rows == 4)
        #expect(report.check("u")?.unexpectedCount == 1)
    }

    @Test func truncatedAndDamagedGzip() throws {
        let folder = try scratchFolder("quality")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = folder.appendingPathComponent("data.csv")
        try Data(Self.csv.utf8).write(to: plain)
        try gzip(plain)
        let bytes = Array(try Data(contentsOf: folder.appendingPathComponent("data.csv.gz")))
        let truncated = try evaluate(bytes: Array(bytes.prefix(bytes.count / 2)), [rule(Self.checks)])
        #expect(truncated.issues.contains("the gzip data ends early: the file is truncated"))

        var damaged = bytes
        for i in 20..<60 { damaged[i] ^= 0x5A }
        #expect(throws: QualityEngineError.self) { try evaluate(bytes: damaged, [rule(Self.checks)]) }
    }

    @Test func formatDetection() {
        #expect(DataFormat.detect(fileName: "a.csv") == .csv)
        #expect(DataFormat.detect(fileName: "a.CSV.gz") == DataFormat(.csv, gzip: true))
        #expect(DataFormat.detect(fileName: "a.ndjson") == .jsonl)
        #expect(DataFormat.detect(fileName: "a.jsonl", leadingBytes: [0x1F, 0x8B]) == DataFormat(.jsonl, gzip: true))
        #expect(DataFormat.detect(fileName: "a.parquet") == nil)
        #expect(DataFormat(.jsonl, gzip: true).description == "jsonl.gz")
    }

    @Test func unknownFormatAndMissingFileThrow() throws {
        #expect(throws: QualityEngineError.self) {
            try Evaluator.evaluate(fileAt: repositoryRoot.appendingPathComponent("README.md"), rules: [])
        }
        #expect(throws: QualityEngineError.self) {
            try Evaluator.evaluate(fileAt: URL(fileURLWithPath: "/nonexistent/x.csv"), rules: [])
        }
    }
}

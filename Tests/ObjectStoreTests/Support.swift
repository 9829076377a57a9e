import Foundation
import TestSupport
import Testing

/// A folder under the temporary directory, removed when the value goes away.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("objectstore-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Bytes that differ at every offset (so a wrong range or a shifted copy shows), reproducible.
func patternBytes(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var out = [UInt8](repeating: 0, count: count)
    for index in 0..<count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        out[index] = UInt8(truncatingIfNeeded: state >> 56)
    }
    return out
}

func writeFile(_ path: String, _ bytes: some DataProtocol) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func readBytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

/// Runs python3 with a script and arguments; returns stdout, throws with stderr on failure.
@discardableResult
func runPython(_ script: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> String {
    try await Subprocess.check("python3", ["-c", script] + arguments, environment: environment)
}

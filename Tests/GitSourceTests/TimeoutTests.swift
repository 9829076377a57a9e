import Foundation
import GitSource
import Testing

/// A server that accepts the connection and never answers: libgit2 1.5 would wait forever; the
/// watchdog answers the caller after `timeoutSeconds`.
@Suite(.serialized) struct TimeoutTests {
    @Test(arguments: ["git", "http"])
    func aServerThatNeverAnswersTimesOut(scheme: String) async throws {
        let fixture = try await Fixture("silent-\(scheme)")
        defer { fixture.remove() }
        let silent = try Transports.silent()
        defer { silent.stop() }
        let source = fixture.source(url: "\(scheme)://127.0.0.1:\(silent.port)/repo.git", timeout: 2)
        // libgit2's one-time initialisation (OpenSSL, libssh2) is not part of the measurement.
        _ = await gitSourceError { _ = try await fixture.source(ref: "not-a-ref", name: "warm-up").resolve() }
        var error: GitSourceError?
        let elapsed = await seconds { error = await gitSourceError { _ = try await source.resolve() } }
        #expect(error?.code == .timeout)
        #expect(error?.message.contains("timed out after 2s") == true)
        // Alone it answers in 2.00-2.01 s; under the whole suite on two cores the answer waits for
        // a cooperative thread, seen at up to 9 s on a quiet machine and over 30 s while other
        // builds shared the cores. What must never happen is a hang: libgit2 alone would wait for
        // the server until TCP gives up (hours). Precision is measured by the print below, not here.
        #expect(elapsed >= 2 && elapsed < 120, "took \(elapsed)s")
        print("timeout precision (\(scheme)): \(elapsed)s for timeoutSeconds 2")
    }
}

import Foundation
import GitSource
import Testing

extension Fixture {
    func source(
        url: String? = nil, ref: String = "refs/heads/main", path: String = "examples", auth: GitAuth = .none,
        timeout: Int = 30, name: String = "examples"
    ) -> GitSource {
        GitSource(
            spec: SourceSpec(name: name, url: url ?? "file://" + bare, ref: ref, path: path, auth: auth, timeoutSeconds: timeout),
            cacheDirectory: cache)
    }
}

/// The error `body` throws, failing the test when it throws none.
func gitSourceError(_ body: () async throws -> Void) async -> GitSourceError? {
    do {
        try await body()
        Issue.record("expected a GitSourceError")
        return nil
    } catch let error as GitSourceError {
        return error
    } catch {
        Issue.record("expected a GitSourceError, got \(error)")
        return nil
    }
}

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// The examples folder holds this many manifest files.
let exampleFiles = 11

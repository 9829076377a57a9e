import Foundation
import Synchronization

/// The sources the reconciler runs now: those of the sources file as last loaded, and why the
/// last reload was refused, if it was (`GET /sources` shows both). The supervisor, the routes
/// and the webhooks read it; `SourcesReloader` replaces it.
final class SourceSet: Sendable {
    struct Status: Sendable {
        var sources: [SourceConfiguration]
        /// The sources file; nil when the sources came from flags.
        var file: String?
        var loadedAt: String
        /// Why the newest file was refused (the sources before it keep running); nil when it was loaded.
        var error: String?
    }

    private let state: Mutex<Status>

    init(_ sources: [SourceConfiguration], file: String?) {
        state = Mutex(Status(sources: sources, file: file, loadedAt: Self.now()))
    }

    var status: Status { state.withLock { $0 } }
    var sources: [SourceConfiguration] { state.withLock { $0.sources } }
    func source(_ name: String) -> SourceConfiguration? { state.withLock { $0.sources.first { $0.name == name } } }

    func replace(_ sources: [SourceConfiguration]) {
        state.withLock {
            $0.sources = sources
            $0.loadedAt = Self.now()
            $0.error = nil
        }
    }

    func refuse(_ error: String) { state.withLock { $0.error = error } }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}

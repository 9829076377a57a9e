import Dispatch
import Foundation
import Logging
import ServiceLifecycle

/// Reloads the sources file when its content changes (checked every two seconds) or on SIGHUP,
/// without a restart: added sources are taken by the supervisor, removed ones let go, changed
/// ones restarted with their new settings after the sync in progress. A file the reconciler
/// would refuse at start is refused here too: the error is logged and shown by `GET /sources`,
/// and the sources before it keep running. Only `sources:` is reloaded (the database, the
/// listener, the server and `notify:` targets are read at start).
struct SourcesReloader: Service {
    let file: String
    /// Reads and checks the file as at start (secrets included).
    let load: @Sendable () throws -> [SourceConfiguration]
    let sources: SourceSet
    let store: StatusStore
    let logger: Logger

    /// Keeps SIGHUP from ending the process before the reloader listens for it.
    static func ignoreHangups() { signal(SIGHUP, SIG_IGN) }

    func run() async {
        let wake = Doorbell()
        var listener = wake.listener()
        let hangups = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangups.setEventHandler { wake.ring() }
        hangups.resume()
        defer { hangups.cancel() }
        var last = FileManager.default.contents(atPath: file)
        await withGracefulShutdownHandler {
            while !wake.isStopped {
                let woke = await listener.wait(for: .seconds(2))
                if woke == .stopped { break }
                let now = FileManager.default.contents(atPath: file)
                guard woke == .rung || now != last else { continue }
                last = now
                await reload(reason: woke == .rung ? "SIGHUP" : "the file changed")
            }
        } onGracefulShutdown: {
            wake.stop()
        }
    }

    func reload(reason: String) async {
        let loaded: [SourceConfiguration]
        do {
            loaded = try load()
            try await store.register(loaded)
        } catch {
            logger.error(
                "the sources file is refused; the sources loaded before keep running",
                metadata: ["file": .string(file), "reason": .string(reason), "error": .string("\(error)")])
            sources.refuse("\(error)")
            return
        }
        let before = Dictionary(uniqueKeysWithValues: sources.sources.map { ($0.name, $0) })
        let after = Dictionary(uniqueKeysWithValues: loaded.map { ($0.name, $0) })
        let added = after.keys.filter { before[$0] == nil }.sorted()
        let removed = before.keys.filter { after[$0] == nil }.sorted()
        let changed = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
        sources.replace(loaded)
        logger.info(
            "reloaded the sources file",
            metadata: [
                "file": .string(file), "reason": .string(reason), "added": .string(added.joined(separator: ",")),
                "removed": .string(removed.joined(separator: ",")), "changed": .string(changed.joined(separator: ",")),
            ])
    }
}

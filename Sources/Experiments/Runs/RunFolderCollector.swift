import Foundation
import Logging
import Postgres
import ServiceKit
import ServiceLifecycle

/// Removes the folders the local executor leaves under `<data-dir>/runs` (`<run>-<suffix>`:
/// the work folder and `run.log`) once their run has finished (SUCCEEDED, FAILED, CANCELLED or
/// LOST) for longer than the retention, and folders whose run no longer exists once they are
/// that old. Folders of queued and running runs are kept. Setting: run-folder-retention-seconds.
public struct RunFolderCollector: Service {
    let pool: ConnectionPool
    let directory: String
    let retentionSeconds: Int
    let logger: Logger

    public init(pool: ConnectionPool, directory: String, retentionSeconds: Int, logger: Logger) {
        self.pool = pool
        self.directory = directory
        self.retentionSeconds = retentionSeconds
        self.logger = logger
    }

    /// Collects every quarter of the retention (at least every second, at most every 10 minutes) until the
    /// service group shuts down (or the task is cancelled).
    public func run() async {
        let interval = Duration.milliseconds(max(1000, min(retentionSeconds * 250, 600_000)))
        repeat {
            do {
                let removed = try await collect()
                if !removed.isEmpty {
                    logger.info("removed folders of finished runs", metadata: ["folders": .string(removed.joined(separator: ","))])
                }
            } catch {
                logger.warning("the run folder collector failed; retrying", metadata: ["error": .string("\(error)")])
            }
        } while await Pause.next(interval)
    }

    /// One pass; returns the names of the folders removed.
    @discardableResult
    public func collect(now: Date = Date()) async throws -> [String] {
        let fm = FileManager.default
        let folders = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return fm.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        guard !folders.isEmpty else { return [] }
        let retention = retentionSeconds
        // Per folder: the run it belongs to (its name, or the name before the last "-suffix",
        // or its uid) and whether that run finished more than the retention ago.
        let verdicts = try await pool.withConnection { connection -> [String: Verdict] in
            var verdicts: [String: Verdict] = [:]
            for folder in folders {
                var candidates = [folder]
                if let dash = folder.lastIndex(of: "-") { candidates.append(String(folder[..<dash])) }
                let row = try connection.query(
                    """
                    select state, coalesce(extract(epoch from now() - finished_at), 0)::bigint as age from runs
                    where name = $1 or name = $2 or uid::text = $1 limit 1
                    """, [candidates[0], candidates.last!]
                ).first
                guard let row else {
                    verdicts[folder] = .noRun
                    continue
                }
                let state = RunState(rawValue: row["state"] ?? "") ?? .running
                verdicts[folder] = state.isFinal && (row.int("age") ?? 0) >= Int64(retention) ? .expired : .keep
            }
            return verdicts
        }
        var removed: [String] = []
        for folder in folders.sorted() {
            let path = directory + "/" + folder
            switch verdicts[folder] ?? .keep {
            case .keep: continue
            case .expired: break
            case .noRun:
                // A deleted run's folder: by its age on disk.
                guard let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                    now.timeIntervalSince(modified) >= Double(retention)
                else { continue }
            }
            do {
                try fm.removeItem(atPath: path)
                removed.append(folder)
            } catch {
                logger.warning("cannot remove a finished run's folder", metadata: ["folder": .string(path), "error": .string("\(error)")])
            }
        }
        return removed
    }

    enum Verdict: Sendable { case keep, expired, noRun }
}

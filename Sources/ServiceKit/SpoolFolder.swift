import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// This process's spool folder, `<spool>/p-<pid>-<id>`, held by an exclusive `flock` on its
/// `.lock` file for as long as the process lives. Processes may share a data folder (split
/// services on one host share `object-store: file`), so each spools into a folder of its own, and
/// at start a process removes only the folders whose lock nobody holds: those of processes that
/// ended (the kernel drops a dead process's locks). A live process's upload, however long it
/// pauses, is never swept. The folder is named only once it is locked, so a sweep cannot catch
/// it between creation and lock.
public final class SpoolFolder: Sendable {
    public let path: String
    /// The open `.lock`; closing it would release the folder, so it stays open.
    let descriptor: Int32

    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Sweeps `parent` (folders of ended processes, and the loose files spools before per-process
    /// folders left), then makes and locks this process's folder.
    public static func claim(in parent: String, startedAt: Date = Date(), logger: Logger? = nil) throws -> SpoolFolder {
        let fm = FileManager.default
        try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
        sweep(parent, startedAt: startedAt, logger: logger)
        let id = UUID().uuidString.prefix(8).lowercased()
        let staging = parent + "/.new-\(id)"
        try fm.createDirectory(atPath: staging, withIntermediateDirectories: false)
        let descriptor = open(staging + "/.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            try? fm.removeItem(atPath: staging)
            throw SpoolError("cannot lock a spool folder under \(parent): \(reason)")
        }
        let path = parent + "/p-\(getpid())-\(id)"
        guard rename(staging, path) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            try? fm.removeItem(atPath: staging)
            throw SpoolError("cannot name the spool folder \(path): \(reason)")
        }
        return SpoolFolder(path: path, descriptor: descriptor)
    }

    /// Removes the folders of `parent` no live process holds, and files older than `startedAt`
    /// (an earlier version's spool, flat in `parent`). Returns how many entries went.
    @discardableResult
    public static func sweep(_ parent: String, startedAt: Date = Date(), logger: Logger? = nil) -> Int {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: parent) else { return 0 }
        var removed = 0
        for name in names {
            let path = parent + "/" + name
            guard let attributes = try? fm.attributesOfItem(atPath: path) else { continue }
            let modified = attributes[.modificationDate] as? Date ?? .distantFuture
            switch attributes[.type] as? FileAttributeType {
            case .typeRegular? where modified < startedAt:
                if (try? fm.removeItem(atPath: path)) != nil { removed += 1 }
            case .typeDirectory? where name.hasPrefix("p-") || (name.hasPrefix(".new-") && modified < startedAt):
                // A staging folder newer than this process may be another's, about to be locked.
                if isAbandoned(path), (try? fm.removeItem(atPath: path)) != nil { removed += 1 }
            default: continue
            }
        }
        if removed > 0 {
            logger?.info(
                "removed spool folders and files left by ended processes",
                metadata: ["folder": .string(parent), "entries": .stringConvertible(removed)])
        }
        return removed
    }

    /// Whether nobody holds the folder's lock (or it has none).
    static func isAbandoned(_ folder: String) -> Bool {
        let descriptor = open(folder + "/.lock", O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return errno == ENOENT }
        defer { close(descriptor) }
        return flock(descriptor, LOCK_EX | LOCK_NB) == 0
    }
}

/// A spool folder that could not be made.
public struct SpoolError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}

import Foundation
import Logging

/// The spool folder holds request and response bodies only while a request runs. A process
/// killed mid-upload leaves its file behind, so at start the files not touched since before
/// this process started are removed (a process sharing the data folder writes its live spool
/// files as they arrive, so their times are newer).
public enum SpoolSweep {
    /// Removes the files in `directory` last modified before `startedAt` (call it before serving); returns how many.
    @discardableResult
    public static func sweep(_ directory: String, startedAt: Date = Date(), logger: Logger? = nil) -> Int {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return 0 }
        var removed = 0
        for name in names {
            let path = directory + "/" + name
            guard let attributes = try? fm.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular,
                let modified = attributes[.modificationDate] as? Date, modified < startedAt
            else { continue }
            if (try? fm.removeItem(atPath: path)) != nil { removed += 1 }
        }
        if removed > 0 {
            logger?.info(
                "removed spool files left by an earlier process",
                metadata: ["folder": .string(directory), "files": .stringConvertible(removed)])
        }
        return removed
    }
}

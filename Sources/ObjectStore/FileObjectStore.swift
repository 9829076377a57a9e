import Blocking
import Foundation

/// Objects as files under a folder, written to a temporary name and renamed into place so a
/// reader never sees half an object.
public struct FileObjectStore: ObjectStore {
    public let root: URL
    let io = BlockingQueue(concurrentLabel: "datapilot.objectstore.file")

    public init(root: String) throws {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
        try FileManager.default.createDirectory(at: self.root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
    }

    public var description: String { root.absoluteString }

    /// Where an object lives on disk, for serving it directly.
    public func localPath(key: String) -> String { root.appendingPathComponent(key).path }

    public func put(file path: String, key: String, contentType: String) async throws {
        let destination = root.appendingPathComponent(key)
        let staging = root.appendingPathComponent("tmp/\(UUID().uuidString)")
        try await io.run {
            let fm = FileManager.default
            if fm.fileExists(atPath: destination.path) { return }
            try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            // A hard link costs nothing when the file is on the same file system (the server's
            // spool folder is); otherwise copy.
            if link(path, staging.path) != 0 { try fm.copyItem(atPath: path, toPath: staging.path) }
            if rename(staging.path, destination.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? fm.removeItem(at: staging)
                throw ObjectStoreError(.io, "cannot store \(key): \(reason)")
            }
        }
    }

    public func size(key: String) async throws -> Int64? {
        let path = localPath(key: key)
        return try await io.run {
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT { return nil }
                throw ObjectStoreError(.io, "cannot stat \(key): \(String(cString: strerror(errno)))")
            }
            return Int64(info.st_size)
        }
    }

    public func get(key: String, range: ClosedRange<Int64>?, to path: String) async throws {
        let source = localPath(key: key)
        try await io.run {
            guard let input = FileHandle(forReadingAtPath: source) else {
                throw ObjectStoreError(.notFound, "no object \(key)")
            }
            defer { try? input.close() }
            guard FileManager.default.createFile(atPath: path, contents: nil),
                let output = FileHandle(forWritingAtPath: path)
            else {
                throw ObjectStoreError(.io, "cannot write \(path)")
            }
            defer { try? output.close() }
            var remaining = Int64.max
            if let range {
                try input.seek(toOffset: UInt64(range.lowerBound))
                remaining = range.upperBound - range.lowerBound + 1
            }
            while remaining > 0 {
                let chunk = try input.read(upToCount: Int(min(remaining, 1 << 20))) ?? Data()
                if chunk.isEmpty { break }
                try output.write(contentsOf: chunk)
                remaining -= Int64(chunk.count)
            }
        }
    }

    public func delete(key: String) async throws {
        let path = localPath(key: key)
        try await io.run {
            if unlink(path) != 0 && errno != ENOENT {
                throw ObjectStoreError(.io, "cannot delete \(key): \(String(cString: strerror(errno)))")
            }
        }
    }

    public func putNamed(_ bytes: [UInt8], key: String, contentType: String) async throws {
        let destination = root.appendingPathComponent(key)
        let staging = root.appendingPathComponent("tmp/\(UUID().uuidString)")
        try await io.run {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: staging.path, contents: Data(bytes)) else {
                throw ObjectStoreError(.io, "cannot store \(key): cannot write \(staging.path)")
            }
            // rename(2) replaces the old object in one step.
            if rename(staging.path, destination.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: staging)
                throw ObjectStoreError(.io, "cannot store \(key): \(reason)")
            }
        }
    }

    public func getNamed(key: String, maximumBytes: Int) async throws -> [UInt8]? {
        let path = localPath(key: key)
        return try await io.run {
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            guard let input = FileHandle(forReadingAtPath: path) else {
                throw ObjectStoreError(.io, "cannot read \(key): it is not readable by this user")
            }
            defer { try? input.close() }
            let data = try input.read(upToCount: maximumBytes + 1) ?? Data()
            guard data.count <= maximumBytes else {
                throw ObjectStoreError(.rejected, "the object \(key) is larger than the \(maximumBytes) bytes expected of it")
            }
            return [UInt8](data)
        }
    }

    public func checkReachable() async throws {
        let probe = root.appendingPathComponent("tmp/.probe-\(UUID().uuidString)")
        try await io.run {
            // Empty: a full file system still passes (reads go on; writes answer 507), a
            // missing, read-only or foreign-owned folder does not.
            guard FileManager.default.createFile(atPath: probe.path, contents: nil) else {
                throw ObjectStoreError(.unreachable, "cannot write under \(root.path)")
            }
            try? FileManager.default.removeItem(at: probe)
        }
    }
}

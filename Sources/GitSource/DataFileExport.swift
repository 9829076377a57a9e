import Crypto
import Foundation
import Git
import Manifests

extension Snapshot {
    /// A data file of this commit (a repository path, as `tree.locate` reports it), exported once
    /// into the content-addressed cache `cacheDirectory/blobs/<blob id>` (read-only) with its
    /// sha256, which is remembered by blob id (in memory and in `<blob id>.sha256` beside it).
    public func dataFile(_ repositoryPath: String) async throws(GitSourceError) -> (file: String, sha256: String, size: Int64) {
        guard !repositoryPath.hasPrefix("/"), let path = GitTree.join("", repositoryPath) else {
            throw GitSourceError(.invalidSpec, "data file \(repositoryPath) leads outside the repository")
        }
        let blob: String
        switch tree.resolve(path) {
        case .entry(let entry) where entry.kind == .file || entry.kind == .executable:
            blob = entry.id
        case .entry:
            throw GitSourceError(.invalidSpec, "\(path) in commit \(commit.id) is not a regular file")
        case .missing:
            throw GitSourceError(.notFound, "there is no file \(path) in commit \(commit.id)")
        case .outside(let target):
            throw GitSourceError(
                .invalidSpec,
                "\(path) in commit \(commit.id) is a symbolic link to \(target), outside the repository; copy the file into the repository instead"
            )
        }
        let cache = self.cache
        let destination = cache.blobsPath + "/" + blob
        if let known = cache.digest(blob), FileManager.default.fileExists(atPath: destination) {
            return (destination, known.sha256, known.size)
        }
        return try await cache.reads.run { () throws(GitSourceError) -> (file: String, sha256: String, size: Int64) in
            let digest = try BlobExport(cache: cache, blob: blob, path: path).run()
            cache.remember(blob, digest)
            return (destination, digest.sha256, digest.size)
        }
    }
}

/// Writes one blob to `blobs/<id>` through a temporary file, hashing it on the way.
struct BlobExport {
    let cache: SourceCache
    let blob: String
    let path: String

    var destination: String { cache.blobsPath + "/" + blob }
    var sidecar: String { destination + ".sha256" }

    func run() throws(GitSourceError) -> (sha256: String, size: Int64) {
        if FileManager.default.fileExists(atPath: destination), let known = recorded() { return known }
        do {
            try FileManager.default.createDirectory(atPath: cache.blobsPath, withIntermediateDirectories: true)
        } catch {
            throw failure("cannot create \(cache.blobsPath): \(error.localizedDescription)")
        }
        let repository = try cache.repository()
        let temporary = cache.blobsPath + "/.\(blob).\(UUID().uuidString).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var hasher = SHA256()
        var size: Int64 = 0
        var writeError: Int32 = 0
        do {
            try repository.readBlob(blob) { chunk in
                hasher.update(bufferPointer: chunk)
                size += Int64(chunk.count)
                var offset = 0
                while offset < chunk.count {
                    let written = write(descriptor, chunk.baseAddress! + offset, chunk.count - offset)
                    if written < 0 {
                        writeError = errno
                        return false
                    }
                    offset += written
                }
                return true
            }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw GitSourceError.cache(error, doing: "read \(path) (blob \(blob))")
        }
        let closed = close(descriptor)
        guard writeError == 0, closed == 0 else {
            unlink(temporary)
            throw failure("cannot write \(temporary): \(String(cString: strerror(writeError != 0 ? writeError : errno))); check free space")
        }
        chmod(temporary, 0o444)
        guard rename(temporary, destination) == 0 else {
            unlink(temporary)
            throw failure("cannot move the export of \(path) to \(destination): \(String(cString: strerror(errno)))")
        }
        let sha256 = Hex.encode(Array(hasher.finalize()))
        try? "\(sha256) \(size)\n".write(toFile: sidecar, atomically: true, encoding: .utf8)
        return (sha256, size)
    }

    /// The digest recorded beside an earlier export, when it still matches the file's size.
    func recorded() -> (sha256: String, size: Int64)? {
        guard let text = try? String(contentsOfFile: sidecar, encoding: .utf8) else { return nil }
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, fields[0].count == 64, let size = Int64(fields[1]),
            let attributes = try? FileManager.default.attributesOfItem(atPath: destination),
            (attributes[.size] as? NSNumber)?.int64Value == size
        else { return nil }
        return (String(fields[0]), size)
    }

    func failure(_ message: String) -> GitSourceError { GitSourceError(.corrupt, message) }
}

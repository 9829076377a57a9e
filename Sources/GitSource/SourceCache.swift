import Blocking
import Crypto
import Foundation
import Git
import Synchronization

/// A source's bare cache repository and the threads that touch it.
///
/// - `reads` (serial) owns the long-lived read handle: snapshots, object checks, exports.
/// - `network` (concurrent) runs listing and fetching; each operation opens a handle of its own,
///   so an operation abandoned by its watchdog (still blocked on a socket) holds no shared
///   handle and cannot stall reads or later operations.
final class SourceCache: Sendable {
    let repositoryPath: String
    let blobsPath: String
    let reads: BlockingQueue
    let network: BlockingQueue
    /// A repository of the user's (a work tree or bare), opened in place and never created or
    /// fetched into; nil for a source's own bare cache.
    let existing: Bool
    private let handle: ConfinedHandle
    private let digests = Mutex<[String: (sha256: String, size: Int64)]>([:])

    init(name: String, url: String, cacheDirectory: String) {
        let base = cacheDirectory.hasSuffix("/") ? String(cacheDirectory.dropLast()) : cacheDirectory
        repositoryPath = base + "/" + Self.folderName(name: name, url: url)
        blobsPath = base + "/blobs"
        reads = BlockingQueue(label: "datapilot.gitsource.\(name).reads")
        network = BlockingQueue(concurrentLabel: "datapilot.gitsource.\(name).network")
        existing = false
        handle = ConfinedHandle()
    }

    /// An existing repository read in place; exported data files go to `blobsDirectory`.
    init(existingRepository path: String, blobsDirectory: String) {
        repositoryPath = path
        blobsPath = blobsDirectory
        reads = BlockingQueue(label: "datapilot.gitsource.local.reads")
        network = BlockingQueue(concurrentLabel: "datapilot.gitsource.local.network")
        existing = true
        handle = ConfinedHandle()
    }

    /// `<sanitised name>-<first 12 hex of sha256(url)>.git`.
    static func folderName(name: String, url: String) -> String {
        var clean = String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }.prefix(63))
        if clean.isEmpty { clean = "source" }
        let digest = SHA256.hash(data: Data(url.utf8)).map { String(format: "%02x", $0) }.joined()
        return "\(clean)-\(digest.prefix(12)).git"
    }

    /// The read handle; call only from a closure running on `reads`.
    func repository() throws(GitSourceError) -> Repository {
        if let open = handle.repository { return open }
        let open: Repository
        if existing {
            do { open = try Repository.open(at: repositoryPath) } catch {
                throw GitSourceError(
                    error.code == .notFound ? .notFound : .corrupt,
                    "\(repositoryPath) is not a git repository (or cannot be opened): \(error.message)")
            }
        } else {
            open = try openOrCreate()
        }
        handle.repository = open
        return open
    }

    /// Lets the read handle go (the next read opens another); call only from `reads`. libgit2
    /// keeps per-pack state (index and window maps) for every pack a handle has read, and a
    /// fetch adds a pack: a handle kept for the process's life held one more a commit
    /// (bench/soak: 185 pack and index files mapped after 150 commits; 12 with a new handle).
    func retireReadHandle() { handle.repository = nil }

    /// A fresh handle for one network operation.
    func openOrCreate() throws(GitSourceError) -> Repository {
        do {
            try FileManager.default.createDirectory(atPath: repositoryPath, withIntermediateDirectories: true)
        } catch {
            throw GitSourceError(.corrupt, "cannot create the cache folder \(repositoryPath): \(error.localizedDescription)")
        }
        do {
            return try Repository.openOrCreateBare(at: repositoryPath)
        } catch {
            throw GitSourceError.cache(error, doing: "open the cache repository \(repositoryPath)")
        }
    }

    func digest(_ blob: String) -> (sha256: String, size: Int64)? { digests.withLock { $0[blob] } }

    func remember(_ blob: String, _ digest: (sha256: String, size: Int64)) { digests.withLock { $0[blob] = digest } }
}

/// A `Repository` only ever touched from the `reads` serial queue, which is what makes this sound.
final class ConfinedHandle: @unchecked Sendable {
    var repository: Repository?
}

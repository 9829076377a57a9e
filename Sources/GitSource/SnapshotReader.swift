import Dispatch
import Git
import Manifests
import Synchronization

extension GitSource {
    /// The manifests and data files of `commit` under `spec.path`, read from the commit's tree
    /// (no checkout). Files whose path and blob are unchanged since `previous` are not parsed again.
    public func snapshot(commit: String, previous: Snapshot?, options: LoadOptions) async throws(GitSourceError) -> Snapshot {
        let valid = try ValidatedSpec(spec)
        guard (try? ValidatedSpec.target(commit)) == .commit(commit) else {
            throw GitSourceError(.invalidSpec, "\"\(commit)\" is not a 40-hex lower-case commit id; pass Resolution.commit")
        }
        let cache = self.cache
        let previous = previous.flatMap { $0.cache.repositoryPath == cache.repositoryPath ? $0 : nil }
        return try await cache.reads.run { () throws(GitSourceError) -> Snapshot in
            let reader = SnapshotReader(repository: try cache.repository(), folder: valid.folder, options: options)
            return try reader.read(commit, previous: previous, cache: cache)
        }
    }
}

/// Builds a snapshot on the cache's read thread.
struct SnapshotReader {
    let repository: Repository
    let folder: String
    let options: LoadOptions

    var decodeKey: String { "\(options.maxFileBytes) \(options.limits)" }

    func read(_ id: String, previous: Snapshot?, cache: SourceCache) throws(GitSourceError) -> Snapshot {
        let info: CommitInfo
        do { info = try repository.commit(id: id) } catch {
            throw error.code == .notFound
                ? GitSourceError(.notFound, "commit \(id) is not in the cache; resolve() the source first")
                : GitSourceError.cache(error, doing: "read commit \(id)")
        }
        let tree = try self.tree(of: id)
        if !folder.isEmpty {
            guard tree.entries[folder]?.kind == .folder else {
                throw GitSourceError(.notFound, "path \"\(folder)\" is not a folder in commit \(id); fix spec.path")
            }
        }
        let (candidates, submodules) = self.candidates(in: tree)
        let reusable = previous.flatMap { $0.decodeKey == decodeKey ? $0.decoded : nil } ?? [:]
        var parsed: [String: ParsedFile] = [:]
        var toParse: [(path: String, blob: String, bytes: [UInt8])] = []
        let loader = ManifestLoader(options: options)
        for path in candidates {
            let blob: String
            switch tree.resolve(path) {
            case .entry(let entry) where entry.kind == .file || entry.kind == .executable:
                blob = entry.id
            case .entry:
                continue  // a link to a folder, skipped like `dpctl validate -R` skips it
            case .missing:
                parsed[path] = ParsedFile(
                    blob: "",
                    file: Self.problem(
                        path, .fileNotFound,
                        "this manifest is a symbolic link to \(tree.links[path] ?? "?"), which is not in the commit"))
                continue
            case .outside(let target):
                parsed[path] = ParsedFile(
                    blob: "",
                    file: Self.problem(
                        path, .pathOutsideRepository,
                        "this manifest is a symbolic link to \(target), outside the repository; copy the file into the repository instead"))
                continue
            }
            if let old = reusable[path], old.blob == blob {
                parsed[path] = old
                continue
            }
            let size = try cacheCall("read the size of \(path)") { () throws(GitError) in try repository.blobSize(blob) }
            if size > Int64(options.maxFileBytes) {
                parsed[path] = ParsedFile(blob: blob, file: loader.oversizedFile(name: path, size: Int(size)))
            } else {
                let bytes = try cacheCall("read \(path)") { () throws(GitError) in try repository.blobBytes(blob) }
                toParse.append((path, blob, bytes))
            }
        }
        for (index, file) in Self.decode(toParse.map { ($0.path, $0.bytes) }, loader).enumerated() {
            parsed[toParse[index].path] = ParsedFile(blob: toParse[index].blob, file: file)
        }
        let files = candidates.compactMap { parsed[$0]?.file }
        let sized = try withSizes(tree, for: files, known: previous?.tree.sizes ?? [:])
        var changed: [String] = []
        if let previous, previous.commit.id != info.id {
            changed = try cacheCall("diff \(previous.commit.id)..\(info.id)") { () throws(GitError) in
                try repository.changedPaths(from: previous.commit.id, to: info.id)
            }
        }
        return Snapshot(
            commit: CommitDetails(
                id: info.id, message: info.message, summary: info.summary, authorName: info.authorName,
                authorEmail: info.authorEmail, time: info.time),
            manifests: loader.check(files, tree: sized),
            files: files.count,
            reparsed: toParse.map(\.path).sorted(),
            changedPaths: changed,
            submodules: submodules,
            tree: sized,
            decoded: parsed,
            decodeKey: decodeKey,
            cache: cache)
    }

    /// The whole commit tree, with every symbolic link's target read.
    func tree(of id: String) throws(GitSourceError) -> GitTree {
        let all = try cacheCall("list the tree of \(id)") { () throws(GitError) in try repository.treeEntries(commit: id) }
        var entries: [String: TreeEntry] = [:]
        var links: [String: String] = [:]
        for entry in all {
            entries[entry.path] = entry
            if entry.kind == .symlink {
                let target = try cacheCall("read link \(entry.path)") { () throws(GitError) in try repository.blobBytes(entry.id) }
                links[entry.path] = String(decoding: target.prefix(4096), as: UTF8.self)
            }
        }
        return GitTree(entries: entries, links: links, sizes: [:])
    }

    /// Manifest files (`*.yaml`, `*.yml`, regular or links) under the folder, recursively, hidden
    /// entries skipped, sorted; and the submodules found on the way.
    func candidates(in tree: GitTree) -> (manifests: [String], submodules: [String]) {
        let prefix = folder.isEmpty ? "" : folder + "/"
        var manifests: [String] = []
        var submodules: [String] = []
        for (path, entry) in tree.entries where path.hasPrefix(prefix) {
            let relative = path.dropFirst(prefix.count)
            guard !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { continue }
            switch entry.kind {
            case .submodule:
                submodules.append(path)
            case .file, .executable, .symlink:
                if path.hasSuffix(".yaml") || path.hasSuffix(".yml") { manifests.append(path) }
            default:
                break
            }
        }
        return (manifests.sorted(), submodules.sorted())
    }

    /// Decodes files in parallel (on this dispatch thread's siblings, not the cooperative pool).
    static func decode(_ files: [(String, [UInt8])], _ loader: ManifestLoader) -> [DecodedFile] {
        let results = Mutex<[Int: DecodedFile]>([:])
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            let file = loader.decodeFile(name: files[index].0, bytes: files[index].1)
            results.withLock { $0[index] = file }
        }
        return results.withLock { results in files.indices.compactMap { results[$0] } }
    }

    /// The tree again, knowing the sizes of the data files the manifests name; `known` are sizes
    /// by blob read before (a blob's size never changes).
    func withSizes(_ tree: GitTree, for files: [DecodedFile], known: [String: Int64] = [:]) throws(GitSourceError) -> GitTree {
        var sizes: [String: Int64] = [:]
        for manifest in files.flatMap(\.manifests) {
            for occurrence in manifest.occurrences where occurrence.role == .sourcePath {
                guard !occurrence.value.hasPrefix("/"),
                    let joined = GitTree.join(GitTree.folder(of: manifest.origin.file), occurrence.value),
                    case .entry(let entry) = tree.resolve(joined), entry.kind == .file || entry.kind == .executable,
                    sizes[entry.id] == nil
                else { continue }
                if let size = known[entry.id] {
                    sizes[entry.id] = size
                    continue
                }
                sizes[entry.id] = try cacheCall("read the size of \(joined)") { () throws(GitError) in try repository.blobSize(entry.id) }
            }
        }
        return GitTree(entries: tree.entries, links: tree.links, sizes: sizes)
    }

    static func problem(_ path: String, _ code: Diagnostic.Code, _ message: String) -> DecodedFile {
        DecodedFile(
            name: path, manifests: [], diagnostics: [Diagnostic(.error, code, file: path, line: 1, column: 1, path: "", message: message)])
    }

    func cacheCall<T>(_ operation: String, _ body: () throws(GitError) -> T) throws(GitSourceError) -> T {
        do { return try body() } catch { throw GitSourceError.cache(error, doing: operation) }
    }
}

import Foundation
import Synchronization
import YAML

/// Where manifests come from.
public enum ManifestInput: Sendable {
    /// A file, or a folder of `*.yaml` / `*.yml` files.
    case path(String)
    /// Bytes read elsewhere (standard input, a git blob), under a display name.
    case bytes(name: String, [UInt8])
}

public struct LoadOptions: Sendable {
    /// Walk folders below the ones named.
    public var recursive: Bool
    /// The repository root that data file paths must stay inside; see `LocalSourceTree.root(for:)`.
    public var root: String?
    /// Report references to objects missing from the set as warnings rather than errors.
    public var allowExternalReferences: Bool
    public var maxFileBytes: Int
    public var limits: YAMLLimits

    public init(
        recursive: Bool = false, root: String? = nil, allowExternalReferences: Bool = false,
        maxFileBytes: Int = 32 << 20, limits: YAMLLimits = .default
    ) {
        self.recursive = recursive
        self.root = root
        self.allowExternalReferences = allowExternalReferences
        self.maxFileBytes = maxFileBytes
        self.limits = limits
    }
}

/// The outcome of loading: the valid manifests and every diagnostic, sorted by position.
/// When any error is present the set as a whole must not be applied.
public struct ManifestSet: Sendable {
    public var manifests: [Manifest]
    public var diagnostics: [Diagnostic]
    public var filesRead: Int

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    public var isValid: Bool { !diagnostics.contains { $0.severity == .error } }
}

/// Reads manifests from files, folders and byte streams; parses files in parallel.
public struct ManifestLoader: Sendable {
    public var options: LoadOptions

    public init(options: LoadOptions = LoadOptions()) { self.options = options }

    public func load(_ inputs: [ManifestInput]) -> ManifestSet {
        var diagnostics: [Diagnostic] = []
        var units: [(name: String, source: UnitSource, tree: any SourceTree)] = []
        for input in inputs {
            switch input {
            case .bytes(let name, let bytes):
                let root = options.root ?? LocalSourceTree.root(for: FileManager.default.currentDirectoryPath)
                units.append((name, .bytes(bytes), LocalSourceTree(root: root)))
            case .path(let path):
                let tree = LocalSourceTree(root: options.root ?? LocalSourceTree.root(for: path))
                let (files, problems) = expand(path)
                diagnostics += problems
                units += files.map { ($0, .file($0), tree) }
            }
        }

        let results = Mutex<[Int: ([Manifest], [Diagnostic])]>([:])
        let work = units
        DispatchQueue.concurrentPerform(iterations: work.count) { i in
            let unit = work[i]
            let result = decode(unit.name, unit.source)
            results.withLock { $0[i] = result }
        }
        var manifests: [Manifest] = []
        var trees: [String: any SourceTree] = [:]
        results.withLock { results in
            for i in units.indices {
                guard let (found, problems) = results[i] else { continue }
                manifests += found
                diagnostics += problems
                trees[units[i].name] = units[i].tree
            }
        }
        var checks = SetChecks(manifests: manifests, trees: trees, options: options)
        diagnostics += checks.run()
        diagnostics.sort()
        return ManifestSet(manifests: manifests, diagnostics: diagnostics, filesRead: units.count)
    }

    enum UnitSource: Sendable {
        case file(String)
        case bytes([UInt8])
    }

    /// A path's manifest files: the file itself, or the YAML files of a folder (recursively with -R),
    /// hidden entries and symbolic links to folders skipped, in a stable order.
    func expand(_ path: String) -> ([String], [Diagnostic]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return (
                [],
                [
                    Diagnostic(
                        .error, .fileNotFound, file: path, line: 0, column: 0, path: "",
                        message: "no such file or folder; check the path given to -f")
                ]
            )
        }
        guard isDirectory.boolValue else { return ([path], []) }
        var files: [String] = []
        var folders = [path]
        while let folder = folders.popLast() {
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
                return (
                    files,
                    [
                        Diagnostic(
                            .error, .unreadable, file: folder, line: 0, column: 0, path: "",
                            message: "cannot list this folder; check its permissions")
                    ]
                )
            }
            for entry in entries.sorted() where !entry.hasPrefix(".") {
                let full = folder.hasSuffix("/") ? folder + entry : folder + "/" + entry
                var info = stat()
                guard lstat(full, &info) == 0 else { continue }
                let type = info.st_mode & S_IFMT
                if type == S_IFDIR {
                    if options.recursive { folders.append(full) }
                } else if entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
                    if type == S_IFREG || (type == S_IFLNK && !FileManager.default.isDirectory(full)) {
                        files.append(full)
                    }
                }
            }
        }
        return (files.sorted(), [])
    }

    func decode(_ name: String, _ source: UnitSource) -> ([Manifest], [Diagnostic]) {
        switch source {
        case .bytes(let bytes):
            guard bytes.count <= options.maxFileBytes else { return ([], [tooLarge(name, bytes.count)]) }
            return bytes.withUnsafeBytes { decode(name, $0) }
        case .file(let path):
            var info = stat()
            if stat(path, &info) == 0, Int(info.st_size) > options.maxFileBytes {
                return ([], [tooLarge(name, Int(info.st_size))])
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                return (
                    [],
                    [
                        Diagnostic(
                            .error, .unreadable, file: name, line: 0, column: 0, path: "",
                            message: "cannot read this file; check its permissions")
                    ]
                )
            }
            guard data.count <= options.maxFileBytes else { return ([], [tooLarge(name, data.count)]) }
            return data.withUnsafeBytes { decode(name, $0) }
        }
    }

    func tooLarge(_ name: String, _ size: Int) -> Diagnostic {
        Diagnostic(
            .error, .limitExceeded, file: name, line: 1, column: 1, path: "",
            message: "file of \(size) bytes is over the \(options.maxFileBytes)-byte limit; split it into smaller files")
    }

    func decode(_ name: String, _ bytes: UnsafeRawBufferPointer) -> ([Manifest], [Diagnostic]) {
        let stream = Composer.compose(bytes, limits: options.limits)
        var manifests: [Manifest] = []
        var diagnostics = stream.issues.map { issue in
            let code: Diagnostic.Code =
                switch issue.code {
                case .duplicateKey: .duplicateKey
                case .undefinedAlias: .undefinedAlias
                case .limit: .limitExceeded
                default: .yamlSyntax
                }
            return Diagnostic(
                .error, code, file: name, line: issue.mark.line, column: issue.mark.column, path: "",
                message: issue.message)
        }
        let broken = Set(stream.issues.compactMap(\.documentIndex))
        for document in stream.documents {
            let (manifest, problems) = DocumentDecoder.decode(document, file: name)
            diagnostics += problems
            // A document with a duplicate key composed, but is not trusted.
            if let manifest, !broken.contains(document.index) { manifests.append(manifest) }
        }
        return (manifests, diagnostics)
    }
}

extension FileManager {
    func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// One manifest file after decoding, before the checks that need the whole set: what a caller
/// that reads files itself (a git commit's tree) keeps per file, to reuse when the file is unchanged.
public struct DecodedFile: Sendable {
    /// The name diagnostics and `Manifest.origin.file` use.
    public var name: String
    public var manifests: [Manifest]
    public var diagnostics: [Diagnostic]

    public init(name: String, manifests: [Manifest], diagnostics: [Diagnostic]) {
        self.name = name
        self.manifests = manifests
        self.diagnostics = diagnostics
    }
}

extension ManifestLoader {
    /// Decodes one file's bytes (size limit, YAML, each document's kind); no set checks.
    public func decodeFile(name: String, bytes: [UInt8]) -> DecodedFile {
        let (manifests, diagnostics) = decode(name, .bytes(bytes))
        return DecodedFile(name: name, manifests: manifests, diagnostics: diagnostics)
    }

    /// The result for a file of `size` bytes not read because it is over `options.maxFileBytes`.
    public func oversizedFile(name: String, size: Int) -> DecodedFile {
        DecodedFile(name: name, manifests: [], diagnostics: [tooLarge(name, size)])
    }

    /// Runs the set checks over decoded files, resolving data file paths through `tree`, and
    /// returns the set as `load` would.
    public func check(_ files: [DecodedFile], tree: any SourceTree) -> ManifestSet {
        var trees: [String: any SourceTree] = [:]
        for file in files { trees[file.name] = tree }
        let manifests = files.flatMap(\.manifests)
        var diagnostics = files.flatMap(\.diagnostics)
        var checks = SetChecks(manifests: manifests, trees: trees, options: options)
        diagnostics += checks.run()
        diagnostics.sort()
        return ManifestSet(manifests: manifests, diagnostics: diagnostics, filesRead: files.count)
    }
}

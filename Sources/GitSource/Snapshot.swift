import Manifests

/// The manifests of one commit under the source's folder, validated as a set.
public struct Snapshot: Sendable {
    public var commit: CommitDetails
    /// Validated like `dpctl validate -R`; diagnostics name repository-relative files.
    public var manifests: ManifestSet
    /// Manifest files in the snapshot.
    public var files: Int
    /// Repository-relative paths parsed this time (all on a first snapshot, only changed ones after).
    public var reparsed: [String]
    /// Paths changed between the previous snapshot's commit and this one (empty without one).
    public var changedPaths: [String]
    /// Submodules (gitlinks) under the folder: reported, not followed.
    public var submodules: [String]
    /// The commit's tree, to locate data files as the manifests' checks did.
    public var tree: GitTree

    /// Decoded manifest files by repository path, with the blob they came from.
    let decoded: [String: ParsedFile]
    /// Each manifest file's blob (a followed link's target's), by repository path; files that
    /// could not be read are left out.
    public var blobs: [String: String] { decoded.compactMapValues { $0.blob.isEmpty ? nil : $0.blob } }
    /// The decoding options the files were decoded with; reused only under the same.
    let decodeKey: String
    let cache: SourceCache
}

/// A decoded manifest file and the blob it was decoded from (for a followed link, the target's).
struct ParsedFile: Sendable {
    var blob: String
    var file: DecodedFile
}

extension Schemas {
    public static let datasetVersion = ObjectType([
        Field("dataset", .reference(.dataset), required: true, "The Dataset this is a version of."),
        Field("description", .text, "What changed in this version."),
        Field(
            "source",
            .object(
                ObjectType(
                    [
                        Field(
                            "path", .string(StringType(format: .relativePath, role: .sourcePath)),
                            "A file in the repository, relative to this manifest's folder."),
                        Field("url", .formatted(.url), "An http(s) URL to download the data from."),
                        Field("sha256", .formatted(.sha256Hex), "The sha256 of the data; required with url."),
                    ], exactlyOneOf: [["path", "url"]], rules: [urlNeedsDigest])),
            required: true, "Where the data comes from. Immutable: to change it, create a new version."),
    ])
}

/// A URL's content can change under it; the digest is what makes the version immutable.
let urlNeedsDigest = ObjectRule.requiredWith(
    field: "url", needs: "sha256", because: "it pins the version's content (sha256sum FILE prints it)")

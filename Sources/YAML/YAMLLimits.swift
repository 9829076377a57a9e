/// Hard limits that keep hostile or broken input (alias bombs, huge strings, deep nesting)
/// from taking the process down. Each is checked while composing, before any work is done
/// on the node that broke it.
public struct YAMLLimits: Sendable, Hashable {
    /// Documents in one stream.
    public var maxDocuments: Int
    /// Bytes in one scalar.
    public var maxScalarBytes: Int
    /// Nesting of sequences and mappings.
    public var maxDepth: Int
    /// Nodes in one document, counting every alias as the whole subtree it stands for.
    public var maxNodesPerDocument: Int

    public init(
        maxDocuments: Int = 10_000, maxScalarBytes: Int = 1 << 20, maxDepth: Int = 64,
        maxNodesPerDocument: Int = 100_000
    ) {
        self.maxDocuments = maxDocuments
        self.maxScalarBytes = maxScalarBytes
        self.maxDepth = maxDepth
        self.maxNodesPerDocument = maxNodesPerDocument
    }

    public static let `default` = YAMLLimits()
}

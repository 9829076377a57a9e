import CLibGit2

public enum ReferenceName {
    /// Whether `name` is a well-formed full reference name (`git check-ref-format`).
    public static func isValid(_ name: String) -> Bool {
        _ = LibGit2.initialized
        var valid: Int32 = 0
        return git_reference_name_is_valid(&valid, name) == 0 && valid == 1
    }
}

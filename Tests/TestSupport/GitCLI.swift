import Foundation

/// The git command line, for making the repositories tests read: a fixed author and committer,
/// no system or user configuration, `main` as the first branch, file:// transport allowed.
public enum GitCLI {
    /// What git runs with, over this process's environment (servers like git daemon take it too).
    public static let environment = [
        "GIT_AUTHOR_NAME": "Ada Lovelace", "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada Lovelace", "GIT_COMMITTER_EMAIL": "ada@example.com",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
    ]

    /// `git ARGUMENTS` in `folder`; its output without surrounding white space.
    @discardableResult
    public static func run(_ arguments: [String], in folder: String) throws -> String {
        try Subprocess.check("git", options + arguments, in: URL(fileURLWithPath: folder), environment: environment)
    }

    @discardableResult
    public static func run(_ arguments: String..., in folder: URL) throws -> String { try run(arguments, in: folder.path) }

    /// `run`, awaiting git's end without holding a thread: what async tests call.
    @discardableResult
    public static func run(_ arguments: [String], in folder: String) async throws -> String {
        try await Subprocess.check("git", options + arguments, in: URL(fileURLWithPath: folder), environment: environment)
    }

    @discardableResult
    public static func run(_ arguments: String..., in folder: URL) async throws -> String {
        try await run(arguments, in: folder.path)
    }

    /// `git ARGUMENTS` in `folder` as another person: `author` and `committer` (the author when
    /// nil) as (name, email), e.g. to commit as several people.
    @discardableResult
    public static func run(
        _ arguments: [String], in folder: String, author: (String, String), committer: (String, String)? = nil
    ) throws -> String {
        try Subprocess.check(
            "git", options + arguments, in: URL(fileURLWithPath: folder), environment: environment(author, committer ?? author))
    }

    @discardableResult
    public static func run(
        _ arguments: [String], in folder: String, author: (String, String), committer: (String, String)? = nil
    ) async throws -> String {
        try await Subprocess.check(
            "git", options + arguments, in: URL(fileURLWithPath: folder), environment: environment(author, committer ?? author))
    }

    /// What every command is given: `main` as the first branch, file:// transport allowed.
    static let options = ["-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always"]

    /// `environment` with another author and committer.
    static func environment(_ author: (String, String), _ committer: (String, String)) -> [String: String] {
        environment.merging([
            "GIT_AUTHOR_NAME": author.0, "GIT_AUTHOR_EMAIL": author.1, "GIT_COMMITTER_NAME": committer.0,
            "GIT_COMMITTER_EMAIL": committer.1,
        ]) { $1 }
    }
}

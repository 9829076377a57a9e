import CLibGit2

/// A libgit2 failure: the call that failed, libgit2's error class and message as read from
/// `git_error_last()` on the thread that made the call.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable {
        public let rawValue: Int32
        public static let notFound = Code(rawValue: GIT_ENOTFOUND.rawValue)
        public static let exists = Code(rawValue: GIT_EEXISTS.rawValue)
        public static let authentication = Code(rawValue: GIT_EAUTH.rawValue)
        public static let certificate = Code(rawValue: GIT_ECERTIFICATE.rawValue)
        public static let unbornBranch = Code(rawValue: GIT_EUNBORNBRANCH.rawValue)
        public static let user = Code(rawValue: GIT_EUSER.rawValue)
    }

    public var code: Code
    public var operation: String
    public var message: String

    public var description: String { "\(operation): \(message)" }

    /// Builds the error for `result` of `operation`; must run on the thread that made the call.
    static func last(_ result: Int32, _ operation: String) -> GitError {
        let message: String
        if let error = git_error_last(), let text = error.pointee.message {
            message = String(cString: text)
        } else {
            message = "libgit2 error \(result)"
        }
        return GitError(code: Code(rawValue: result), operation: operation, message: message)
    }

    /// Throws when a libgit2 call returned a negative status.
    static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(GitError) {
        if result < 0 { throw last(result, operation()) }
    }
}

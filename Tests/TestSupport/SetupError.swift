/// A test could not be set up: the database is missing, a product was not built, a helper
/// command failed or a peer did not start. The message says what happened and what to do next.
public struct SetupError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// DATAPILOT_TEST_DATABASE_URL is not set.
        case noTestDatabase
        /// An executable of this package is not next to the test binary.
        case notBuilt
        /// A helper command (git, openssl, python3) exited with an error.
        case commandFailed
        /// A peer process (a server of the package, or a stand-in) did not start or answer.
        case peerDidNotStart
        /// A file or an answer the test builds on is not what it has to be.
        case badFixture
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

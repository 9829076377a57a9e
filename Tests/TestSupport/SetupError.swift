/// A test could not be set up: the database is missing, a product was not built, a helper
/// command failed or a peer did not start. The message says what happened and what to do next.
public struct SetupError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// DATAPILOT_TEST_DATABASE_URL is not set.
        public static let noTestDatabase = Code(description: "noTestDatabase")
        /// An executable of this package is not next to the test binary.
        public static let notBuilt = Code(description: "notBuilt")
        /// A helper command (git, openssl, python3) exited with an error.
        public static let commandFailed = Code(description: "commandFailed")
        /// A peer process (a server of the package, or a stand-in) did not start or answer.
        public static let peerDidNotStart = Code(description: "peerDidNotStart")
        /// A file or an answer the test builds on is not what it has to be.
        public static let badFixture = Code(description: "badFixture")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

import Foundation

/// The private Postgres cluster the tests run against (scripts/lib/postgres.sh starts it).
public enum TestDatabase {
    /// Its URL, from DATAPILOT_TEST_DATABASE_URL.
    public static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DATAPILOT_TEST_DATABASE_URL"], !url.isEmpty else {
            throw SetupError(
                .noTestDatabase,
                "DATAPILOT_TEST_DATABASE_URL is not set: run the tests with `make test`, or start a private "
                    + "Postgres first in the same shell: `source scripts/lib/postgres.sh && pg_start`")
        }
        return url
    }
}

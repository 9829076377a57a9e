import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct PostgresSmokeTests {
    @Test func selectOne() throws {
        let connection = try Connection.connect(try TestDatabase.url())
        #expect(try connection.query("select 1 as one").map(\.values) == [["1"]])
        #expect(try connection.query("select 1 as one").first?["one"] == "1")
        #expect(connection.serverVersion >= 150000)
    }

    @Test func parametersAreNeverSplicedIntoSQL() throws {
        let connection = try Connection.connect(try TestDatabase.url())
        #expect(
            try connection.query("select $1::int + 1, $2::text, $3::text is null", ["41", "'; drop table x; --", nil]).map(\.values)
                == [["42", "'; drop table x; --", "t"]])
    }

    @Test func errorsCarryTheSQLState() throws {
        let connection = try Connection.connect(try TestDatabase.url())
        let error = try #require(throws: PostgresError.self) { try connection.query("selec 1") }
        #expect(error.sqlState == "42601")
        #expect(error.description.contains("syntax error"))
    }

    @Test func anUnreachableServerIsAConnectionError() throws {
        let error = try #require(throws: PostgresError.self) {
            try Connection.connect("postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
        }
        #expect(error.code == .connection)
        #expect(error.message.contains("cannot connect to Postgres"))
    }
}

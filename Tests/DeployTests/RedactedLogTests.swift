import Foundation
import LogSetup
import Logging
import Synchronization
import Testing

/// Every log line of both executables goes through `RedactingLogHandler` (LogOutput.bootstrap):
/// credentials in URLs and `password=` settings never reach the log, in the message or the metadata.
@Suite("SecurityTests: redacted logs") struct RedactedLogTests {
    @Test func credentialsNeverReachALogLine() throws {
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "test") { label in
            RedactingLogHandler(JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } })
        }
        let cases: [(text: String, shows: String)] = [
            ("cannot connect to postgres://dp:s3cret@db:5432/datapilot", "postgres://dp:***@db:5432/datapilot"),
            ("fetch https://ci:s3cret@git.example.com/ml/m.git failed", "https://ci:***@git.example.com/ml/m.git"),
            ("fetch https://s3cret@github.com/ml/m.git failed", "https://***@github.com/ml/m.git"),
            ("conninfo host=db password=s3cret dbname=x", "password=*** dbname=x"),
            ("conninfo host=db password = 's3 cret' dbname=x", "dbname=x"),
            ("postgresql://dp@db/x?sslmode=require&password=s3cret&port=5432", "password=***&port=5432"),
            ("\"postgres://dp:s3cret@[::1/db\"", "postgres://dp:***@[::1/db"),
        ]
        for item in cases {
            logger.error("\(item.text)", metadata: ["url": .string(item.text), "nested": ["list": [.string(item.text)]]])
        }
        logger.info("ssh://git@git.example.com/ml/m.git stays as it is")
        let written = lines.withLock { $0 }
        #expect(written.count == cases.count + 1)
        for (line, item) in zip(written, cases) {
            #expect(!line.contains("s3cret") && !line.contains("s3 cret"), "\(item.text) -> \(line)")
            #expect(line.contains(item.shows), "\(item.text) -> \(line)")
        }
        #expect(written.last?.contains("ssh://git@git.example.com/ml/m.git") == true)
    }
}

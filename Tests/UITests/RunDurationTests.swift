import Foundation
import Manifests
import Testing

@testable import UI

/// A run's duration on the runs page.
@Suite struct RunDurationTests {
    @Test(arguments: [
        (0, "0 s"), (42, "42 s"), (60, "1 min"), (185, "3 min 5 s"), (3600, "1 h"), (8040, "2 h 14 min"), (90061, "25 h 1 min"),
    ])
    func durationsReadAtAGlance(seconds: Int, words: String) {
        #expect(RunDuration.format(seconds) == words)
    }

    @Test func fromTheRunsTimes() throws {
        let finished: JSONValue = ["startedAt": "2026-11-30T10:00:00.250000Z", "finishedAt": "2026-11-30T10:03:05.250000Z"]
        #expect(RunDuration.text(finished) == "3 min 5 s")
        let running: JSONValue = ["startedAt": "2026-11-30T10:00:00Z"]
        let now = try #require(RunDuration.date("2026-11-30T10:00:42Z"))
        #expect(RunDuration.text(running, now: now) == "42 s so far")
        #expect(RunDuration.text(["state": "QUEUED"]) == "—")
        #expect(RunDuration.text(["startedAt": "not a time"]) == "—")
    }
}

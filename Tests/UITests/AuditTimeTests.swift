import Testing

@testable import UI

/// Times typed into the audit filters, as the API takes them (RFC 3339, UTC unless a zone is given).
@Suite struct AuditTimeTests {
    @Test(arguments: [
        ("2026-11-30", "2026-11-30T00:00:00Z"),
        ("2026-11-30T18:00", "2026-11-30T18:00:00Z"),
        ("2026-11-30 18:00", "2026-11-30T18:00:00Z"),
        (" 2026-11-30T18:00:05 ", "2026-11-30T18:00:05Z"),
        ("2026-11-30T18:00:05.123Z", "2026-11-30T18:00:05.123Z"),
        ("2026-11-30T18:00:05z", "2026-11-30T18:00:05Z"),
        ("2026-11-30T18:00+01:00", "2026-11-30T18:00:00+01:00"),
        ("2026-11-30T18:00:00-05:30", "2026-11-30T18:00:00-05:30"),
    ])
    func timesPeopleTypeAreRead(typed: String, sent: String) {
        #expect(AuditTime.normalized(typed) == sent)
    }

    @Test(arguments: [
        "", "yesterday", "2026-11", "2026-13-01", "2026-11-32", "1969-12-31", "2026/11/30", "2026-11-30T", "2026-11-30T25:00",
        "2026-11-30T18:60", "2026-11-30T18:00:61", "2026-11-30T18:00+5", "2026-11-30T18:00+05", "2026-11-30T18:00:00.Z",
        "2026-11-30T18:00:00Zjunk", "2026-11-30T1:00", "２０２６-11-30",
    ])
    func anythingElseIsNoTime(typed: String) {
        #expect(AuditTime.normalized(typed) == nil, "\(typed)")
    }
}

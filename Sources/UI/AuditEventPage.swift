import APIClient
import APIModel
import Hummingbird
import Manifests

/// `/ui/audit/{sequence}`: one audit event, its place in the chain, where it came from (tool,
/// commit, author) and its change side by side: each changed field with the value before and
/// the value after.
extension UIRoutes {
    func auditEvent(_ session: UISessions.Session, sequence: String) async throws -> Response {
        guard let number = Int64(sequence), number >= 1 else {
            throw APIError(
                code: .notFound, status: 404, problem: nil, message: "audit event \"\(sequence)\": sequences are whole numbers from 1")
        }
        // The next event, if there is one yet (its link is shown only then).
        async let following = try? gateway.get(APIPath.auditEvents + "/\(number + 1)", token: session.token)
        let event = try await gateway.get(APIPath.auditEvents + "/\(number)", token: session.token)
        let source = event["source"]
        let forge = ForgeLinks(remote: source?["repository"]?.stringValue)
        var origin: HTML = ""
        for (label, key) in [("Tool", "tool"), ("Source", "source"), ("Repository", "repository"), ("Path", "path"), ("Author", "author")] {
            if let value = source?[key], value != .null { origin = "\(origin)<dt>\(label)</dt><dd>\(Layout.text(value))</dd>" }
        }
        if let commit = source?["commit"]?.stringValue { origin = "\(origin)<dt>Commit</dt><dd>\(Self.commitLink(commit, forge))</dd>" }
        let changes = event["diff"]?.arrayValue ?? []
        let rows: [[HTML]] = changes.map { change in
            let op = change["op"]?.stringValue ?? ""
            return [
                "<code>\(Self.fieldName(change["path"]?.stringValue))</code>", "\(Self.changeWord(op))",
                Self.sideValue(change["old"], absent: op == "add"), Self.sideValue(change["new"], absent: op == "remove"),
            ]
        }
        var around: [HTML] = []
        if number > 1 { around.append(Layout.link(Layout.path("audit", String(number - 1)), "Previous event")) }
        if await following != nil { around.append(Layout.link(Layout.path("audit", String(number + 1)), "Next event")) }
        around.append(
            Layout.link(Layout.path("audit", query: [("resource", event["resource"]?.stringValue ?? "")]), "Every event of this resource"))
        let body: HTML = """
            <dl class="facts">
            <dt>Sequence</dt><dd id="event-sequence">\(number)</dd><dt>Time</dt><dd>\(Layout.text(event["time"]))</dd>
            <dt>Actor</dt><dd>\(Layout.link(Layout.path("audit", query: [("actor", event["actor"]?.stringValue ?? "")]), Layout.text(event["actor"])))</dd>
            <dt>Action</dt><dd>\(Layout.text(event["action"]))</dd><dt>Resource</dt><dd>\(Self.resourceLink(event["resource"]?.stringValue ?? ""))</dd>
            <dt>Outcome</dt><dd>\(Layout.status(event["outcome"]?.stringValue))</dd>
            <dt>Request</dt><dd><code>\(Layout.text(event["request_id"]))</code></dd>
            \(origin)
            <dt>Hash</dt><dd>\(Layout.digest(event["hash"]?.stringValue))</dd>
            <dt>Previous hash</dt><dd>\(Layout.digest(event["previous_hash"]?.stringValue))</dd>
            </dl>
            <h2>Change</h2>
            \(Layout.table(
                caption: "What this event changed, before and after", headers: ["Field", "Change", "Before", "After"], rows: rows,
                empty: "This event records no change of fields."))
            <p>\(HTML.join(around, separator: " · "))</p>
            """
        return UIResponse.html(Layout.page(title: "Audit event \(number)", section: .audit, session: session, body: body))
    }

    /// A JSON pointer as people read it: `/spec/owner` → `spec.owner`, the whole object for `""`.
    static func fieldName(_ pointer: String?) -> String {
        guard let pointer, !pointer.isEmpty, pointer != "/" else { return "(the whole object)" }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
            .joined(separator: ".")
    }

    static func changeWord(_ op: String) -> String {
        switch op {
        case "add": "added"
        case "remove": "removed"
        case "replace": "changed"
        default: op
        }
    }

    /// One side of a change: the value as JSON, or "(absent)" for the side where it did not exist.
    static func sideValue(_ value: JSONValue?, absent: Bool) -> HTML {
        guard !absent, let value else { return "<span class=\"muted\">(absent)</span>" }
        let text = value.stringValue ?? value.jsonString()
        return "<pre class=\"value\">\(text)</pre>"
    }
}

/// A time typed into the audit filters, as the API takes it (RFC 3339 in UTC): `2026-11-30`,
/// `2026-11-30T18:00`, `2026-11-30 18:00:05` or a full time with its zone. Nil when it is none.
enum AuditTime {
    static func normalized(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T")
        let bytes = Array(trimmed.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, bytes[range].allSatisfy({ (48...57).contains($0) }) else { return nil }
            return Int(String(decoding: bytes[range], as: UTF8.self))
        }
        guard bytes.count >= 10, let year = digits(0..<4), bytes[4] == 45, let month = digits(5..<7), bytes[7] == 45,
            let day = digits(8..<10), (1...12).contains(month), (1...31).contains(day), year >= 1970
        else { return nil }
        let date = String(trimmed.prefix(10))
        if bytes.count == 10 { return date + "T00:00:00Z" }
        guard bytes[10] == 84, let hour = digits(11..<13), bytes.count >= 16, bytes[13] == 58, let minute = digits(14..<16),
            hour < 24, minute < 60
        else { return nil }
        var rest = Array(bytes[16...])
        var seconds = "00"
        if rest.first == 58 {
            guard rest.count >= 3, rest[1...2].allSatisfy({ (48...57).contains($0) }),
                let s = Int(String(decoding: rest[1...2], as: UTF8.self)),
                s < 61
            else { return nil }
            seconds = String(decoding: rest[1...2], as: UTF8.self)
            rest.removeFirst(3)
            // Fractions of a second.
            if rest.first == 46 {
                rest.removeFirst()
                guard let end = rest.firstIndex(where: { !(48...57).contains($0) }) ?? Optional(rest.count), end > 0 else { return nil }
                seconds += "." + String(decoding: rest[..<end], as: UTF8.self)
                rest.removeFirst(end)
            }
        }
        let zone = String(decoding: rest, as: UTF8.self)
        let time = "\(date)T\(String(format2: hour)):\(String(format2: minute)):\(seconds)"
        if zone.isEmpty || zone == "Z" || zone == "z" { return time + "Z" }
        // ±HH:MM
        let z = Array(zone.utf8)
        guard z.count == 6, z[0] == 43 || z[0] == 45, z[3] == 58, z[1...2].allSatisfy({ (48...57).contains($0) }),
            z[4...5].allSatisfy({ (48...57).contains($0) })
        else { return nil }
        return time + zone
    }
}

extension String {
    /// A number from 0 to 99 in two digits.
    fileprivate init(format2 number: Int) { self = number < 10 ? "0\(number)" : String(number) }
}

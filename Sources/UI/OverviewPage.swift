import APIModel
import Hummingbird
import Manifests

/// `/ui/`: the audit chain's status, how many objects of each kind there are, the newest events.
extension UIRoutes {
    static let counted: [(title: String, path: String, link: String?)] = [
        ("Datasets", "/api/datasets", "/ui/datasets"), ("Dataset versions", "/api/datasetversions", nil),
        ("Quality rules", "/api/qualityrules", nil), ("Experiments", "/api/experiments", nil), ("Runs", "/api/runs", "/ui/runs"),
    ]

    func overview(_ session: UISessions.Session) async throws -> Response {
        let chain = try await gateway.get(APIPath.auditVerify, token: session.token)
        var cards: [HTML] = []
        for kind in Self.counted {
            // One page of up to 1000 names: the count, or "1000+" when there are more.
            let page = try await gateway.get(kind.path, query: [("page_size", "1000")], token: session.token)
            let count = page["items"]?.arrayValue?.count ?? 0
            let shown = page["next_page_token"] != nil ? "\(count)+" : String(count)
            let title: HTML = kind.link.map { Layout.link($0, kind.title) } ?? "\(kind.title)"
            cards.append("<div class=\"card\"><div class=\"number\">\(shown)</div><div>\(title)</div></div>")
        }
        let recent = try await gateway.get(
            APIPath.auditEvents, query: [("order", "desc"), ("page_size", "10")], token: session.token)
        let body: HTML = """
            <h2>Audit chain</h2>
            \(Self.chainStatus(chain))
            <h2>Objects</h2>
            <div class="cards">\(cards)</div>
            <h2>Latest audit events</h2>
            \(Self.eventTable(recent["items"]?.arrayValue ?? [], caption: "The ten newest audit events"))
            <p>\(Layout.link("/ui/audit", "All audit events"))</p>
            """
        return UIResponse.html(Layout.page(title: "Overview", section: .overview, session: session, body: body))
    }

    /// `GET /api/audit/verify`'s answer in words.
    static func chainStatus(_ chain: JSONValue) -> HTML {
        let valid = chain["valid"]?.boolValue == true
        let checked = Layout.text(chain["checked"]), head = Layout.text(chain["head_sequence"])
        var facts: HTML = """
            <dt>Status</dt><dd id="chain-status">\(Layout.status(valid ? "valid" : "broken"))</dd>
            <dt>Entries checked</dt><dd>\(checked)</dd><dt>Head sequence</dt><dd>\(head)</dd>
            <dt>Head hash</dt><dd>\(Layout.digest(chain["head_hash"]?.stringValue))</dd>
            """
        if let checkpoint = chain["checkpoint_sequence"] {
            facts = "\(facts)<dt>Checked against the signed checkpoint at</dt><dd>\(Layout.text(checkpoint))</dd>"
        }
        if !valid {
            facts = """
                \(facts)<dt>First broken entry</dt><dd>\(Layout.text(chain["first_broken_sequence"]))</dd>
                <dt>Why</dt><dd>\(Layout.text(chain["reason"]))</dd>
                """
        }
        return "<dl class=\"facts\">\(facts)</dl>"
    }
}

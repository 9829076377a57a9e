import APIModel
import Hummingbird
import Manifests

/// `/ui/audit`: audit events newest first, filtered by resource, actor, action and time, paged,
/// under the chain's status since its last signed checkpoint; `/ui/audit/verify` walks the whole
/// chain on demand.
extension UIRoutes {
    static let auditFilters = ["resource", "actor", "action"]
    /// The time filters: the API's `since` (inclusive) and `until` (exclusive), in UTC.
    static let auditTimes = [("since", "From"), ("until", "Until")]

    func audit(_ session: UISessions.Session, _ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let filters = Self.auditFilters.map { ($0, parameters[Substring($0)].map(String.init) ?? "") }
        let times = Self.auditTimes.map { name, _ in (name, parameters[Substring(name)].map(String.init) ?? "") }
        var problems: [String] = []
        var timeQuery: [(String, String)] = []
        for (name, value) in times where !value.isEmpty {
            if let time = AuditTime.normalized(value) {
                timeQuery.append((name, time))
            } else {
                let label = Self.auditTimes.first { $0.0 == name }!.1
                problems.append(
                    "\(label): “\(value)” is not a time. Write it in UTC as 2026-11-30, 2026-11-30T18:00 or 2026-11-30T18:00:00Z.")
            }
        }
        let size = Self.pageSize(request, default: 50)
        var query = filters.filter { !$0.1.isEmpty } + timeQuery + [("order", "desc"), ("page_size", String(size))]
        let token = parameters["page_token"].map(String.init)
        if let token, !token.isEmpty { query.append(("page_token", token)) }
        async let chain = gateway.get(APIPath.auditVerify, query: [("scope", "since-checkpoint")], token: session.token)
        // A filter that is not a time shows no events rather than all of them.
        let events = problems.isEmpty ? try await gateway.get(APIPath.auditEvents, query: query, token: session.token) : .object([])
        let inputs = HTML.join(
            filters.map { name, value in
                """
                <label for="filter-\(name)">\(name.capitalized)\
                <input id="filter-\(name)" name="\(name)" type="text" value="\(value)"></label>
                """
            }
                + zip(Self.auditTimes, times).map { label, time in
                    """
                    <label for="filter-\(time.0)">\(label.1) (UTC)\
                    <input id="filter-\(time.0)" name="\(time.0)" type="text" inputmode="numeric" placeholder="2026-11-30T18:00" \
                    value="\(time.1)"></label>
                    """
                })
        let keep = filters + times + (size == 50 ? [] : [("page_size", String(size))])
        let notices = HTML.join(problems.map { Layout.notice($0, error: true) })
        let body: HTML = """
            <h2>Chain verification</h2>
            \(Self.chainStatus(try await chain))
            <h2>Events</h2>
            <form class="filters" method="get" action="/ui/audit" role="search" aria-label="Filter audit events">
            \(inputs)<button type="submit">Filter</button> \(Layout.link("/ui/audit", "Clear"))
            </form>
            \(notices)
            \(Self.eventTable(events["items"]?.arrayValue ?? [], caption: "Audit events, newest first"))
            \(Layout.pager(base: "/ui/audit", query: keep, next: events["next_page_token"]?.stringValue, isFirst: token?.isEmpty ?? true))
            """
        return UIResponse.html(Layout.page(title: "Audit", section: .audit, session: session, body: body))
    }

    /// `/ui/audit/verify`: every entry from the first, as `dpctl audit verify` does on the server.
    func auditVerify(_ session: UISessions.Session) async throws -> Response {
        let started = ContinuousClock.now
        let chain = try await gateway.get(APIPath.auditVerify, query: [("scope", "full")], token: session.token)
        let took = ContinuousClock.now - started
        let body: HTML = """
            \(Self.chainStatus(chain))
            <p class="muted">Walked in \(Int((took / .milliseconds(1)).rounded())) ms. \
            To check it without trusting this server, run <code>dpctl audit verify --key KEYS.json</code> with the published keys.</p>
            <p>\(Layout.link("/ui/audit", "Audit events"))</p>
            """
        return UIResponse.html(Layout.page(title: "Whole audit chain", section: .audit, session: session, body: body))
    }

    static func eventTable(_ events: [JSONValue], caption: String) -> HTML {
        let rows: [[HTML]] = events.map { event in
            let resource = event["resource"]?.stringValue ?? ""
            let source = event["source"]
            let commit = source?["commit"]?.stringValue
            return [
                Layout.link(Layout.path("audit", Layout.text(event["sequence"])), Layout.text(event["sequence"])),
                "\(Layout.text(event["time"]))",
                Layout.link(Layout.path("audit", query: [("actor", event["actor"]?.stringValue ?? "")]), Layout.text(event["actor"])),
                Layout.link(Layout.path("audit", query: [("action", event["action"]?.stringValue ?? "")]), Layout.text(event["action"])),
                resourceLink(resource), Layout.status(event["outcome"]?.stringValue),
                commit.map { "<code>\(String($0.prefix(12)))</code>" } ?? "—",
            ]
        }
        return Layout.table(
            caption: caption, headers: ["Sequence", "Time", "Actor", "Action", "Resource", "Outcome", "Commit"], rows: rows,
            empty: "No audit events match.")
    }

    /// A resource (`dataset/churn`) as a link to its page when the UI has one, else to its events.
    static func resourceLink(_ resource: String) -> HTML {
        let parts = resource.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2, parts[0] == "dataset" { return Layout.link(Layout.path("datasets", parts[1]), resource) }
        if parts.count == 2, parts[0] == "run" { return Layout.link(Layout.path("runs", parts[1]), resource) }
        if parts.count == 2, parts[0] == "experiment" { return Layout.link(Layout.path("experiments", parts[1]), resource) }
        return Layout.link(Layout.path("audit", query: [("resource", resource)]), resource)
    }

    /// A labelled list's request as the API takes it: the label selector typed into the filter,
    /// the page size and the page token from the page's own query.
    struct ListQuery {
        var label: String
        var size: Int
        /// Whether this is the first page (no page token).
        var isFirst: Bool
        var api: [(String, String)]

        init(_ request: Request) {
            let parameters = request.uri.queryParameters
            label = parameters["label"].map(String.init) ?? ""
            size = UIRoutes.pageSize(request, default: 25)
            api = [("page_size", String(size))]
            if !label.isEmpty { api.append(("label_selector", label)) }
            let token = parameters["page_token"].map(String.init) ?? ""
            isFirst = token.isEmpty
            if !token.isEmpty { api.append(("page_token", token)) }
        }
    }

    /// A labelled, paged list page's body: the label-selector filter, the table of `rows` (or
    /// "No `what` match."), and the pager keeping the filter and page size.
    static func labelledList(
        _ list: ListQuery, base: String, what: String, placeholder: String, caption: String, headers: [String], rows: [[HTML]],
        next: String?
    ) -> HTML {
        let keep = [("label", list.label)] + (list.size == 25 ? [] : [("page_size", String(list.size))])
        return """
            \(Layout.labelFilter(action: base, describing: what, value: list.label, placeholder: placeholder))
            \(Layout.table(caption: caption, headers: headers, rows: rows, empty: "No \(what) match."))
            \(Layout.pager(base: base, query: keep, next: next, isFirst: list.isFirst))
            """
    }

    /// `page_size` from the query, 1 to 100, else `default`.
    static func pageSize(_ request: Request, default fallback: Int) -> Int {
        guard let raw = request.uri.queryParameters["page_size"], let size = Int(raw), (1...100).contains(size) else { return fallback }
        return size
    }
}

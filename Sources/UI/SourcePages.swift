import APIClient
import APIModel
import Foundation
import Hummingbird
import Manifests

/// `/ui/sources` and a source's page: its live state and controls from the reconciler through the
/// gateway (`/api/reconciler/...`, with the user's own token), and its sync history from the audit
/// log's `sync` events on `source/NAME` (each sync's commit, author, result, health, counts by
/// action and error with file:line), which is there with or without a reachable reconciler.
extension UIRoutes {
    /// The controls a source page offers, each as `/api/reconciler/sources/NAME/ACTION`.
    static let sourceActions: [String: (role: String, done: String)] = [
        "sync": ("editor", "Sync requested: the reconciler polls the source now and applies its head if it moved."),
        "suspend": ("admin", "Source suspended: new commits are held back until it is resumed."),
        "resume": ("admin", "Source resumed: it syncs again at once."),
    ]

    func sources(_ session: UISessions.Session, _ request: Request) async throws -> Response {
        let (live, problem) = try await reconcilerSources(session)
        var body: HTML
        if let live {
            let rows: [[HTML]] = live.map { source in
                let name = source["name"]?.stringValue ?? ""
                let forge = ForgeLinks(remote: source["url"]?.stringValue)
                return [
                    Layout.link(Layout.path("sources", name), name), Self.sourceState(source), Layout.status(source["result"]?.stringValue),
                    Layout.status(source["health"]?.stringValue), Self.commitLink(source["lastAppliedCommit"]?.stringValue, forge),
                    "\(Layout.text(source["appliedAt"]))", "\(Layout.text(source["owner"]))",
                ]
            }
            body = Layout.table(
                caption: "The reconciler's sources",
                headers: ["Source", "State", "Last result", "Health", "Applied commit", "Applied", "Held by"],
                rows: rows, empty: "The reconciler holds no sources.")
        } else {
            // No reconciler to ask: the sources that reported syncs to the audit log, newest first.
            let events = try await gateway.get(
                APIPath.auditEvents, query: [("action", "sync"), ("order", "desc"), ("page_size", "500")], token: session.token)
            let rows: [[HTML]] = Self.newestSyncs(events["items"]?.arrayValue ?? []).map { name, event in
                let record = Self.record(event)
                let forge = ForgeLinks(remote: event["source"]?["repository"]?.stringValue)
                return [
                    Layout.link(Layout.path("sources", name), name), Layout.status(record?["result"]?.stringValue),
                    Layout.status(record?["health"]?.stringValue), Self.commitLink(record?["commit"]?.stringValue, forge),
                    "\(Layout.text(event["time"]))",
                ]
            }
            body = """
                \(Layout.notice("The reconciler's live state is not available here (\(problem ?? "unknown")). The sources below are those that reported syncs to the audit log, from their newest sync event."))
                \(Layout.table(
                    caption: "Sources from the audit log's sync events", headers: ["Source", "Last result", "Health", "Commit", "Reported"],
                    rows: rows, empty: "No source has reported a sync."))
                """
        }
        body = "\(body)<p>\(Layout.link("/ui/drift", "Drift reported by the reconciler"))</p>"
        return UIResponse.html(Layout.page(title: "Sources", section: .sources, session: session, body: body))
    }

    func source(_ session: UISessions.Session, name: String, _ request: Request) async throws -> Response {
        guard Self.isSourceName(name) else { throw APIError(code: .notFound, status: 404, problem: nil, message: "source \"\(name)\"") }
        let (live, problem) = try await reconcilerSources(session)
        let source = live?.first { $0["name"]?.stringValue == name }
        let list = ListQuery(request)
        var query: [(String, String)] = [
            ("resource", "source/\(name)"), ("action", "sync"), ("order", "desc"), ("page_size", String(list.size)),
        ]
        if let token = list.api.first(where: { $0.0 == "page_token" }) { query.append(token) }
        let events = try await gateway.get(APIPath.auditEvents, query: query, token: session.token)
        let items = events["items"]?.arrayValue ?? []
        if source == nil, items.isEmpty, list.isFirst {
            throw APIError(
                code: .notFound, status: 404, problem: nil,
                message: "source \"\(name)\": the reconciler does not hold it and it has reported no sync")
        }
        let remote = source?["url"]?.stringValue ?? items.lazy.compactMap { $0["source"]?["repository"]?.stringValue }.first
        let forge = ForgeLinks(remote: remote)
        var parts: [HTML] = []
        if let done = request.uri.queryParameters["done"].map(String.init), let message = Self.sourceActions[done]?.done {
            parts.append(Layout.notice(message))
        }
        if let source {
            let repository: HTML = forge.map { Layout.link($0.repository, Layout.text(source["url"])) } ?? "\(Layout.text(source["url"]))"
            parts.append(
                """
                <dl class="facts">
                <dt>State</dt><dd id="source-state">\(Self.sourceState(source))</dd>
                <dt>Repository</dt><dd>\(repository)</dd>
                <dt>Ref</dt><dd><code>\(Layout.text(source["ref"]))</code></dd><dt>Path</dt><dd><code>\(Layout.text(source["path"]))</code></dd>
                <dt>Last result</dt><dd id="source-result">\(Layout.status(source["result"]?.stringValue))</dd>
                <dt>Health</dt><dd id="source-health">\(Layout.status(source["health"]?.stringValue)) \(Self.healthMessage(source))</dd>
                <dt>Applied commit</dt><dd>\(Self.commitLink(source["lastAppliedCommit"]?.stringValue, forge)) at \(Layout.text(source["appliedAt"]))</dd>
                <dt>Last attempted commit</dt><dd>\(Self.commitLink(source["lastAttemptedCommit"]?.stringValue, forge))</dd>
                <dt>Held back</dt><dd>\(Self.commitLink(source["heldBackCommit"]?.stringValue, forge))</dd>
                <dt>Held by replica</dt><dd>\(Layout.text(source["owner"]))</dd>
                <dt>Controls last changed</dt><dd>\(source["changedBy"] == nil ? "never" : "\(Layout.text(source["changedBy"])) at \(Layout.text(source["changedAt"]))")</dd>
                </dl>
                """)
            parts.append(controls(session, name: name, suspended: source["suspended"]?.boolValue == true))
        } else {
            parts.append(
                Layout.notice(
                    "The reconciler's live state of this source is not available here (\(problem ?? "the reconciler does not hold it")); the history below is from the audit log."
                ))
        }
        let rows: [[HTML]] = items.map { event in
            let record = Self.record(event)
            let commit = record?["commit"]?.stringValue
            let counts = (record?["counts"]?.objectValue ?? []).map { "\($0.key)=\(Layout.text($0.value))" }.joined(separator: ", ")
            return [
                "\(Layout.text(event["time"]))", Self.commitLink(commit, forge), "\(Layout.text(event["source"]?["author"]))",
                "\(Layout.text(record?["message"]))", Layout.status(record?["result"]?.stringValue),
                Layout.status(record?["health"]?.stringValue),
                counts.isEmpty ? "—" : "\(counts)", Self.errorLines(record?["error"]?.stringValue, forge: forge, commit: commit),
            ]
        }
        let keep = list.size == 25 ? [] : [("page_size", String(list.size))]
        parts.append(
            """
            <h2>Sync history</h2>
            \(Layout.table(
                caption: "Syncs reported to the audit log, newest first",
                headers: ["Time", "Commit", "Author", "Message", "Result", "Health", "Changes", "Errors"], rows: rows,
                empty: "No syncs reported."))
            \(Layout.pager(
                base: Layout.path("sources", name), query: keep, next: events["next_page_token"]?.stringValue, isFirst: list.isFirst))
            <p>\(Layout.link(Layout.path("audit", query: [("resource", "source/\(name)")]), "Audit events of this source (syncs and controls)")) ·
            \(Layout.link(Layout.path("drift", query: [("source", name)]), "Drift reported for this source"))</p>
            """)
        return UIResponse.html(
            Layout.page(title: "Source \(name)", section: .sources, session: session, body: HTML.join(parts, separator: "\n")))
    }

    /// The control forms the session's role may use: sync for editors and above, suspend or resume
    /// for admins; none for viewers (the gateway and the reconciler would refuse them anyway).
    func controls(_ session: UISessions.Session, name: String, suspended: Bool) -> HTML {
        var forms: [HTML] = []
        func form(_ action: String, _ label: String, _ confirm: String) -> HTML {
            """
            <form method="post" action="\(Layout.path("sources", name, action))" data-confirm="\(confirm)">\
            <input type="hidden" name="csrf" value="\(session.csrf)"><button type="submit" id="source-\(action)">\(label)</button></form>
            """
        }
        if session.mayEdit, !suspended { forms.append(form("sync", "Sync now", "Sync source \(name) now?")) }
        if session.isAdmin {
            forms.append(
                suspended
                    ? form("resume", "Resume", "Resume source \(name)? It syncs again at once.")
                    : form("suspend", "Suspend", "Suspend source \(name)? New commits are held back until it is resumed."))
        }
        guard !forms.isEmpty else { return "" }
        return "<div class=\"actions\" role=\"group\" aria-label=\"Source controls\">\(forms)</div>"
    }

    /// POST `/ui/sources/NAME/ACTION`: the control through the gateway as the signed-in user.
    func sourceAction(_ session: UISessions.Session, name: String, action: String) async throws -> Response {
        guard Self.isSourceName(name), Self.sourceActions[action] != nil else {
            throw APIError(code: .notFound, status: 404, problem: nil, message: "no such control")
        }
        _ = try await gateway.post(
            "/api/reconciler/sources/\(APIPath.segment(name))/\(action)", json: .object([]), token: session.token)
        return UIResponse.redirect(Layout.path("sources", name, query: [("done", action)]))
    }

    /// The reconciler's sources, or why there are none: a gateway without `reconciler-url`, an
    /// unreachable reconciler. A refused token still ends the session (`failure`).
    func reconcilerSources(_ session: UISessions.Session, timeoutSeconds: Int = 30) async throws -> (
        sources: [JSONValue]?, problem: String?
    ) {
        do {
            // One attempt: a gateway without a reconciler answers 503 at once, and a retry would only wait.
            let client = APIClient(server: gateway.client.server, token: session.token, maxAttempts: 1, timeoutSeconds: timeoutSeconds)
            let answer = try await client.send("GET", "/api/reconciler/sources").json
            return (answer["sources"]?.arrayValue ?? [], nil)
        } catch let error as APIError where error.code != .unauthorized {
            return (nil, error.problem?.detail ?? error.message)
        }
    }

    /// What is not Healthy, when it says more than the health word itself.
    static func healthMessage(_ source: JSONValue) -> String {
        guard let message = source["healthMessage"]?.stringValue, message != source["health"]?.stringValue else { return "" }
        return message
    }

    /// Each source's newest sync event, from `sync` events newest first (`source/NAME` resources).
    static func newestSyncs(_ events: [JSONValue]) -> [(name: String, event: JSONValue)] {
        var seen: Set<String> = []
        return events.compactMap { event in
            let resource = event["resource"]?.stringValue ?? ""
            guard resource.hasPrefix("source/"), case let name = String(resource.dropFirst(7)), seen.insert(name).inserted else {
                return nil
            }
            return (name, event)
        }
    }

    /// The record a reported event carries (`after`, served as its diff from nothing).
    static func record(_ event: JSONValue) -> JSONValue? { event["diff"]?.arrayValue?.first?["new"] }

    static func isSourceName(_ name: String) -> Bool {
        name.count <= 63 && StringFormat.dnsSubdomain.accepts(name) && !name.contains(".")
    }

    static func sourceState(_ source: JSONValue) -> HTML {
        if source["suspended"]?.boolValue == true { return "<span class=\"status warn\">suspended</span>" }
        if let pinned = source["pinnedCommit"]?.stringValue {
            return "<span class=\"status warn\">pinned to \(String(pinned.prefix(12)))</span>"
        }
        return "<span class=\"status good\">active</span>"
    }

    /// A commit's first 12 digits, linked to its page on a known forge; the whole id in the title.
    static func commitLink(_ commit: String?, _ forge: ForgeLinks?) -> HTML {
        guard let commit, !commit.isEmpty else { return "—" }
        let short: HTML = "<code title=\"\(commit)\">\(String(commit.prefix(12)))</code>"
        guard let href = forge?.commit(commit) else { return short }
        return "<a href=\"\(href)\" rel=\"noreferrer\">\(short)</a>"
    }

    /// A sync's error, a line each; `file:line:column: message` lines with the file at that line
    /// linked on a known forge.
    static func errorLines(_ error: String?, forge: ForgeLinks?, commit: String?) -> HTML {
        guard let error, !error.isEmpty else { return "—" }
        let lines: [HTML] = error.split(separator: "\n").prefix(20).map { line in
            let parts = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            if parts.count == 4, let number = Int(parts[1]), Int(parts[2]) != nil {
                let location = "\(parts[0]):\(parts[1]):\(parts[2])"
                let place: HTML =
                    forge?.file(String(parts[0]), line: number, commit: commit).map {
                        "<a href=\"\($0)\" rel=\"noreferrer\"><code>\(location)</code></a>"
                    }
                    ?? "<code>\(location)</code>"
                return "<li>\(place):\(String(parts[3]))</li>"
            }
            return "<li>\(String(line))</li>"
        }
        return "<ul class=\"errors\">\(lines)</ul>"
    }
}

extension UISessions.Session {
    var isAdmin: Bool { role == "admin" }
}

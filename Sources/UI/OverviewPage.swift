import APIClient
import APIModel
import Hummingbird
import Manifests

/// `/ui/`: what needs a look first. The sources with their health and last applied commit and
/// its author, how many objects drifted, the quarantined versions, the runs in progress, the
/// audit chain's status since its last signed checkpoint, how many objects of each kind there
/// are and the newest events. Every read goes out at once; none walks more than a page.
extension UIRoutes {
    static let counted: [(title: String, path: String, link: String?)] = [
        ("Datasets", "/api/datasets", "/ui/datasets"), ("Dataset versions", "/api/datasetversions", nil),
        ("Quality rules", "/api/qualityrules", "/ui/quality"), ("Experiments", "/api/experiments", "/ui/experiments"),
        ("Runs", "/api/runs", "/ui/runs"),
    ]

    func overview(_ session: UISessions.Session) async throws -> Response {
        let token = session.token
        async let chain = gateway.get(APIPath.auditVerify, query: [("scope", "since-checkpoint")], token: token)
        async let live = reconcilerSources(session, timeoutSeconds: 5)
        async let syncs = gateway.get(
            APIPath.auditEvents, query: [("action", "sync"), ("order", "desc"), ("page_size", "200")], token: token)
        async let drift = driftState(session, source: nil)
        async let quarantined = gateway.get(
            "/api/datasetversions", query: [("admission", "Quarantined"), ("page_size", "10"), ("count", "true")], token: token)
        async let running = gateway.get("/api/runs", query: [("state", "RUNNING"), ("page_size", "10"), ("count", "true")], token: token)
        async let queued = gateway.get("/api/runs", query: [("state", "QUEUED"), ("page_size", "1"), ("count", "true")], token: token)
        async let counts = withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
            for (index, kind) in Self.counted.enumerated() {
                group.addTask { (index, try await gateway.get(kind.path, query: [("page_size", "1"), ("count", "true")], token: token)) }
            }
            var answers = [JSONValue](repeating: .null, count: Self.counted.count)
            for try await (index, answer) in group { answers[index] = answer }
            return answers
        }
        async let recent = gateway.get(APIPath.auditEvents, query: [("order", "desc"), ("page_size", "10")], token: token)

        let drifted = try await drift.drifted.count
        let sources = Self.sourcesSummary(live: try await live, syncs: try await syncs["items"]?.arrayValue ?? [])
        let (quarantinedPage, runningPage) = (try await quarantined, try await running)
        let cards: [HTML] = [
            Self.card(drifted, "objects drifted now", link: "/ui/drift", tone: drifted > 0 ? "bad" : "good", id: "count-drifted"),
            Self.card(
                Self.total(quarantinedPage), "versions quarantined", link: nil, tone: Self.total(quarantinedPage) > 0 ? "bad" : "good",
                id: "count-quarantined"),
            Self.card(Self.total(runningPage), "runs running", link: "/ui/runs", tone: nil, id: "count-running"),
            Self.card(Self.total(try await queued), "runs queued", link: "/ui/runs", tone: nil, id: "count-queued"),
        ]
        let objectCards: [HTML] = try await counts.enumerated().map { index, answer in
            let kind = Self.counted[index]
            return Self.card(Self.total(answer), kind.title, link: kind.link, tone: nil, id: nil)
        }
        let body: HTML = """
            <div class="cards" id="attention">\(cards)</div>
            <h2>Sources</h2>
            \(sources)
            <h2>Quarantined versions</h2>
            \(Self.quarantinedTable(quarantinedPage))
            <h2>Runs in progress</h2>
            \(Self.runningTable(runningPage))
            <h2>Audit chain</h2>
            \(Self.chainStatus(try await chain))
            <h2>Objects</h2>
            <div class="cards">\(objectCards)</div>
            <h2>Latest audit events</h2>
            \(Self.eventTable(try await recent["items"]?.arrayValue ?? [], caption: "The ten newest audit events"))
            <p>\(Layout.link("/ui/audit", "All audit events"))</p>
            """
        return UIResponse.html(Layout.page(title: "Overview", section: .overview, session: session, body: body))
    }

    /// A list answer's `total_size` (asked for with `count=true`).
    static func total(_ answer: JSONValue) -> Int { Int(answer["total_size"]?.numberValue ?? 0) }

    static func card(_ count: Int, _ label: String, link: String?, tone: String?, id: String?) -> HTML {
        let title: HTML = link.map { Layout.link($0, label) } ?? "\(label)"
        let number: HTML = tone.map { "<div class=\"number \($0)\">\(count)</div>" } ?? "<div class=\"number\">\(count)</div>"
        return id.map { "<div class=\"card\" id=\"\($0)\">\(number)<div>\(title)</div></div>" }
            ?? "<div class=\"card\">\(number)<div>\(title)</div></div>"
    }

    /// One row per source: the reconciler's live state when it answers, else each source's newest
    /// sync event. The applied commit's author is the one its sync event recorded.
    static func sourcesSummary(live: (sources: [JSONValue]?, problem: String?), syncs: [JSONValue]) -> HTML {
        func author(_ source: String, _ commit: String?) -> String {
            let event = syncs.first {
                $0["resource"]?.stringValue == "source/\(source)" && (commit == nil || record($0)?["commit"]?.stringValue == commit)
            }
            return event?["source"]?["author"]?.stringValue ?? "—"
        }
        let headers = ["Source", "Health", "Last result", "Applied commit", "Author", "When"]
        if let sources = live.sources {
            let rows: [[HTML]] = sources.map { source in
                let name = source["name"]?.stringValue ?? ""
                let commit = source["lastAppliedCommit"]?.stringValue
                return [
                    Layout.link(Layout.path("sources", name), name), Layout.status(source["health"]?.stringValue),
                    Layout.status(source["result"]?.stringValue), commitLink(commit, ForgeLinks(remote: source["url"]?.stringValue)),
                    "\(commit == nil ? "—" : author(name, commit))", "\(Layout.text(source["appliedAt"]))",
                ]
            }
            return Layout.table(
                caption: "The reconciler's sources", headers: headers, rows: rows, empty: "The reconciler holds no sources.")
        }
        let rows: [[HTML]] = newestSyncs(syncs).map { name, event in
            let record = record(event)
            return [
                Layout.link(Layout.path("sources", name), name), Layout.status(record?["health"]?.stringValue),
                Layout.status(record?["result"]?.stringValue),
                commitLink(record?["commit"]?.stringValue, ForgeLinks(remote: event["source"]?["repository"]?.stringValue)),
                "\(Layout.text(event["source"]?["author"]))", "\(Layout.text(event["time"]))",
            ]
        }
        return """
            <p class="muted">From each source's newest sync event: the reconciler's live state is not available here \
            (\(live.problem ?? "unknown")).</p>
            \(Layout.table(caption: "Sources from the audit log's sync events", headers: headers, rows: rows, empty: "No source has reported a sync."))
            """
    }

    static func quarantinedTable(_ page: JSONValue) -> HTML {
        let items = page["items"]?.arrayValue ?? []
        let rows: [[HTML]] = items.map { version in
            let name = version["metadata"]?["name"]?.stringValue ?? ""
            let dataset = version["spec"]?["dataset"]?.stringValue ?? ""
            let admission = version["status"]?["admission"]
            let failed = (admission?["failedChecks"]?.arrayValue ?? []).map { check in
                check.stringValue ?? "\(check["rule"]?.stringValue ?? "?")/\(check["check"]?.stringValue ?? "?")"
            }
            return [
                Layout.link(Layout.path("datasets", dataset, "versions", name), name),
                Layout.link(Layout.path("datasets", dataset), dataset),
                "\(Layout.text(admission?["reason"]))", "\(failed.isEmpty ? "—" : failed.joined(separator: ", "))",
                "\(Layout.text(admission?["changedAt"]))",
            ]
        }
        let more = total(page) > items.count ? "<p class=\"muted\">The first \(items.count) of \(total(page)).</p>" : ""
        return """
            \(Layout.table(
                caption: "Versions quarantined: runs refuse them as inputs", headers: ["Version", "Dataset", "Why", "Failed checks", "Since"],
                rows: rows, empty: "No version is quarantined."))\(HTML(trusted: more))
            """
    }

    static func runningTable(_ page: JSONValue) -> HTML {
        let items = page["items"]?.arrayValue ?? []
        let rows: [[HTML]] = items.map { run in
            let name = run["metadata"]?["name"]?.stringValue ?? ""
            return [
                Layout.link(Layout.path("runs", name), name), experimentLink(run["spec"]?["experiment"]?.stringValue),
                "\(Layout.text(run["metadata"]?["createdAt"]))",
            ]
        }
        let more = total(page) > items.count ? "<p class=\"muted\">The first \(items.count) of \(total(page)).</p>" : ""
        return """
            \(Layout.table(caption: "Runs running now", headers: ["Run", "Experiment", "Created"], rows: rows, empty: "No run is running."))\
            \(HTML(trusted: more))
            """
    }

    /// `GET /api/audit/verify`'s answer in words: since the last checkpoint (each page) or the
    /// whole chain (`/ui/audit/verify`, on demand).
    static func chainStatus(_ chain: JSONValue) -> HTML {
        let valid = chain["valid"]?.boolValue == true
        let checked = Layout.text(chain["checked"]), head = Layout.text(chain["head_sequence"])
        let tail = chain["scope"]?.stringValue == "since-checkpoint"
        var facts: HTML = """
            <dt>Status</dt><dd id="chain-status">\(Layout.status(valid ? "valid" : "broken"))</dd>
            <dt>Checked</dt><dd id="chain-scope">\(tail ? "the entries since the last signed checkpoint" : "every entry from the first")</dd>
            <dt>Entries checked</dt><dd>\(checked)</dd><dt>Head sequence</dt><dd>\(head)</dd>
            <dt>Head hash</dt><dd>\(Layout.digest(chain["head_hash"]?.stringValue))</dd>
            """
        if let checkpoint = chain["checkpoint_sequence"] {
            facts = """
                \(facts)<dt>Signed checkpoint</dt><dd>entry \(Layout.text(checkpoint)), signed \(Layout.text(chain["checkpoint_time"]))</dd>
                """
        }
        if !valid {
            facts = """
                \(facts)<dt>First broken entry</dt><dd>\(Layout.text(chain["first_broken_sequence"]))</dd>
                <dt>Why</dt><dd>\(Layout.text(chain["reason"]))</dd>
                """
        }
        let more: HTML =
            tail
            ? """
            <p>The entries up to the checkpoint were checked when it was signed. \
            \(Layout.link("/ui/audit/verify", "Verify the whole chain now")) (every entry; seconds for a long log).</p>
            """
            : ""
        return "<dl class=\"facts\">\(facts)</dl>\(more)"
    }
}

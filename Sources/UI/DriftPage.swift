import APIModel
import Hummingbird
import Manifests

/// `/ui/drift`: the drift report's content (`dpctl drift -o html`) from what the reconciler reported
/// to the audit log: each object's newest `drift-detected` or `drift-healed` event. An object whose
/// newest event is a detection is drifted now (as the reconciler last saw it): its drifted fields
/// with the desired (git) and live (server) values, who changed it, the commit that wrote its
/// desired state. Optionally for one source (`?source=NAME`).
extension UIRoutes {
    /// How many of the newest drift events of each kind the page reads.
    static let driftEvents = 1000

    /// The newest drift events (newest first) and, of each object's newest event, those that
    /// are detections (drifted now) and those that are heals.
    struct DriftState {
        var events: [JSONValue]
        var drifted: [JSONValue]
        var healed: [JSONValue]
    }

    func driftState(_ session: UISessions.Session, source only: String?) async throws -> DriftState {
        async let detected = gateway.get(
            APIPath.auditEvents, query: [("action", "drift-detected"), ("order", "desc"), ("page_size", String(Self.driftEvents))],
            token: session.token)
        async let healedEvents = gateway.get(
            APIPath.auditEvents, query: [("action", "drift-healed"), ("order", "desc"), ("page_size", String(Self.driftEvents))],
            token: session.token)
        var events = (try await detected)["items"]?.arrayValue ?? []
        events += (try await healedEvents)["items"]?.arrayValue ?? []
        if let only { events = events.filter { $0["source"]?["source"]?.stringValue == only } }
        // Newest first by the chain's sequence; the first event of each object is its state now.
        events.sort { ($0["sequence"]?.numberValue ?? 0) > ($1["sequence"]?.numberValue ?? 0) }
        var latest: [String: JSONValue] = [:]
        var order: [String] = []
        for event in events {
            let resource = event["resource"]?.stringValue ?? ""
            if latest[resource] == nil {
                latest[resource] = event
                order.append(resource)
            }
        }
        let newest = order.compactMap { latest[$0] }
        return DriftState(
            events: events, drifted: newest.filter { $0["action"]?.stringValue == "drift-detected" },
            healed: newest.filter { $0["action"]?.stringValue == "drift-healed" })
    }

    func drift(_ session: UISessions.Session, _ request: Request) async throws -> Response {
        let only = request.uri.queryParameters["source"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let state = try await driftState(session, source: only)
        let (events, drifted, healed) = (state.events, state.drifted, state.healed)
        func kind(_ event: JSONValue) -> String { Self.record(event)?["drift"]?.stringValue ?? "" }
        func card(_ count: Int, _ label: String) -> HTML {
            "<div class=\"card\"><div class=\"number\">\(count)</div><div>\(label)</div></div>"
        }
        let summary: HTML = """
            <div class="cards" id="drift-summary">\(card(drifted.count, "drifted now"))\(card(drifted.filter { kind($0) == "modified" }.count, "modified"))\
            \(card(drifted.filter { kind($0) == "deleted" }.count, "deleted out of band"))\
            \(card(drifted.filter { kind($0) == "createdOutOfBand" }.count, "created out of band"))\(card(healed.count, "healed"))</div>
            """
        let filter: HTML = """
            <form class="filters" method="get" action="/ui/drift" role="search" aria-label="Filter drift">
            <label for="filter-source">Source<input id="filter-source" name="source" type="text" value="\(only ?? "")"></label>
            <button type="submit">Filter</button> \(Layout.link("/ui/drift", "Clear"))
            </form>
            """
        let objects: HTML =
            drifted.isEmpty
            ? "<p class=\"notice\" role=\"status\">No drift: every object the reconciler reported drifted has been healed since, or none drifted.</p>"
            : HTML.join(drifted.enumerated().map { Self.driftArticle($1, index: $0) }, separator: "\n")
        let history: [[HTML]] = events.prefix(50).map { event in
            [
                "\(Layout.text(event["time"]))", Self.resourceLink(event["resource"]?.stringValue ?? ""),
                Layout.status(event["action"]?.stringValue == "drift-healed" ? "healed" : "detected"), "\(kind(event))",
                Self.sourceLink(event["source"]?["source"]?.stringValue),
            ]
        }
        let body: HTML = """
            \(filter)
            \(summary)
            <h2>Drifted objects</h2>
            \(objects)
            <h2>Drift events</h2>
            \(Layout.table(
                caption: "The newest drift events, newest first", headers: ["Time", "Object", "Event", "Drift", "Source"], rows: history,
                empty: "The reconciler has reported no drift."))
            <p class="muted">From the reconciler's drift-detected and drift-healed audit events (the newest \(Self.driftEvents) of each).
            An object set right by hand stays listed until the reconciler scans its source again; fields are JSON pointers into the object.</p>
            """
        return UIResponse.html(Layout.page(title: "Drift", section: .sources, session: session, body: body))
    }

    /// One drifted object: its kind of drift, who changed it, where its desired state came from, the fields.
    static func driftArticle(_ event: JSONValue, index: Int) -> HTML {
        let record = Self.record(event)
        let resource = event["resource"]?.stringValue ?? ""
        let kind = record?["drift"]?.stringValue ?? ""
        let phrase =
            switch kind {
            case "deleted": "deleted out of band"
            case "createdOutOfBand": "created out of band"
            default: "modified"
            }
        var lines: [HTML] = []
        if let change = record?["changedBy"] {
            lines.append(
                """
                <p>Last changed by <strong>\(Layout.text(change["actor"]))</strong> at \(Layout.text(change["time"])) \
                (\(Layout.text(change["action"])), request <code>\(Layout.text(change["requestId"]))</code>)</p>
                """)
        } else {
            lines.append("<p class=\"muted\">No change by anyone but the appliers is in the audit log.</p>")
        }
        let repository = ForgeLinks(remote: event["source"]?["repository"]?.stringValue)
        if let desired = record?["desiredBy"] {
            lines.append(
                """
                <p>Desired state from commit \(commitLink(desired["commit"]?.stringValue, repository)) by \(Layout.text(desired["author"]))\
                \(desired["merge"]?.stringValue.map { m -> HTML in " (merged in \(commitLink(m, repository)))" } ?? "")</p>
                """)
        }
        let fields: [[HTML]] = (record?["fields"]?.arrayValue ?? []).map { field in
            [
                "<code>\(Layout.text(field["path"]))</code>", "<pre>\(field["desired"].map { $0.jsonString() } ?? "(absent)")</pre>",
                "<pre>\(field["live"].map { $0.jsonString() } ?? "(absent)")</pre>",
            ]
        }
        return """
            <article class="drift" id="drift-\(index)" aria-labelledby="drift-\(index)-title">
            <h3 id="drift-\(index)-title"><code>\(resource)</code> <span class="status bad">\(phrase)</span></h3>
            <p class="muted">Detected \(Layout.text(event["time"])) on source \(sourceLink(event["source"]?["source"]?.stringValue)) at commit \
            \(commitLink(event["source"]?["commit"]?.stringValue, repository))</p>
            \(lines)
            \(Layout.table(caption: "Drifted fields of \(resource)", headers: ["Field", "Desired (git)", "Live (server)"], rows: fields, empty: ""))
            </article>
            """
    }

    static func sourceLink(_ name: String?) -> HTML {
        guard let name, isSourceName(name) else { return "—" }
        return Layout.link(Layout.path("sources", name), name)
    }
}

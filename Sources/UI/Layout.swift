import APIModel
import Foundation
import Manifests

/// The page shell (navigation, who is signed in, the sign-out form) and the small pieces pages
/// share: links, tables, the pager, times and statuses.
enum Layout {
    enum Section: String { case overview, datasets, quality, experiments, runs, audit, sources, none }

    static func page(title: String, section: Section, session: UISessions.Session?, body: HTML) -> HTML {
        let navigation: HTML
        if let session {
            func link(_ href: String, _ name: String, _ target: Section) -> HTML {
                target == section ? "<a href=\"\(href)\" aria-current=\"page\">\(name)</a>" : "<a href=\"\(href)\">\(name)</a>"
            }
            navigation = """
                <nav aria-label="Main"><a class="brand" href="/ui/">DataPilot</a>\(link("/ui/", "Overview", .overview))\
                \(link("/ui/datasets", "Datasets", .datasets))\(link("/ui/quality", "Quality", .quality))\(link("/ui/experiments", "Experiments", .experiments))\
                \(link("/ui/runs", "Runs", .runs))\(link("/ui/audit", "Audit", .audit))\
                \(link("/ui/sources", "Sources", .sources))</nav>
                <div class="who"><span>Signed in as <strong>\(session.subject)</strong> (\(session.role))</span>
                <form method="post" action="/ui/sign-out"><input type="hidden" name="csrf" value="\(session.csrf)">\
                <button type="submit">Sign out</button></form></div>
                """
        } else {
            navigation = "<nav aria-label=\"Main\"><a class=\"brand\" href=\"/ui/\">DataPilot</a></nav>"
        }
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · DataPilot</title>
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="/ui/static/ui.css">
            <script src="/ui/static/ui.js" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header>\(navigation)</header>
            <main id="main">
            <h1>\(title)</h1>
            \(body)
            </main>
            </body>
            </html>

            """
    }

    /// A path below /ui/ from segments, each percent-encoded.
    static func path(_ segments: String..., query: [(String, String)] = []) -> String {
        let base = "/ui/" + segments.map(APIPath.segment).joined(separator: "/")
        let kept = query.filter { !$0.1.isEmpty }
        return kept.isEmpty ? base : base + "?" + APIPath.query(kept)
    }

    static func link(_ href: String, _ text: String) -> HTML { "<a href=\"\(href)\">\(text)</a>" }

    /// A list page's label-selector filter (GET, so the filter is in the URL and works without JavaScript).
    static func labelFilter(action: String, describing what: String, value: String, placeholder: String) -> HTML {
        """
        <form class="filters" method="get" action="\(action)" role="search" aria-label="Filter \(what)">
        <label for="filter-label">Label selector<input id="filter-label" name="label" type="text" value="\(value)" \
        placeholder="\(placeholder)"></label>
        <button type="submit">Filter</button> \(link(action, "Clear"))
        </form>
        """
    }

    /// A table with a caption (read by screen readers), header cells and rows of cells; an empty
    /// list says so instead.
    static func table(caption: String, headers: [String], rows: [[HTML]], empty: String) -> HTML {
        guard !rows.isEmpty else { return "<p class=\"muted\">\(empty)</p>" }
        let head = HTML.join(headers.map { "<th scope=\"col\">\($0)</th>" })
        let body = HTML.join(rows.map { "<tr>\(HTML.join($0.map { "<td>\($0)</td>" }))</tr>" }, separator: "\n")
        return "<table><caption class=\"muted\">\(caption)</caption><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    /// "First page" and "Next page" links: the API's page tokens go forward only.
    static func pager(base: String, query: [(String, String)], next: String?, isFirst: Bool) -> HTML {
        var links: [HTML] = []
        if !isFirst { links.append(link(pathWith(base, query), "First page")) }
        if let next { links.append("<a rel=\"next\" href=\"\(pathWith(base, query + [("page_token", next)]))\">Next page</a>") }
        guard !links.isEmpty else { return "" }
        return "<nav class=\"pager\" aria-label=\"Pages\">\(links)</nav>"
    }

    static func pathWith(_ base: String, _ query: [(String, String)]) -> String {
        let kept = query.filter { !$0.1.isEmpty }
        return kept.isEmpty ? base : base + "?" + APIPath.query(kept)
    }

    /// An outcome or state word, coloured by what it means (the word itself carries the meaning).
    static func status(_ word: String?) -> HTML {
        let word = word ?? "—"
        let tone: String
        switch word.lowercased() {
        case "pass", "passed", "success", "valid", "done", "succeeded", "synced", "admitted", "healthy": tone = "good"
        case "fail", "failed", "failure", "broken", "error", "lost", "quarantined", "degraded", "invalid": tone = "bad"
        case "warn", "warned", "warning", "queued", "running", "pending", "evaluating", "progressing": tone = "warn"
        default: tone = ""
        }
        return "<span class=\"status \(tone)\">\(word)</span>"
    }

    /// A digest shown whole, with a copy button added by the script.
    static func digest(_ value: String?) -> HTML {
        guard let value, !value.isEmpty else { return "—" }
        return "<code class=\"digest\" data-copy=\"\(value)\" data-copy-label=\"digest\">\(value)</code>"
    }

    static func bytes(_ value: Double?) -> String {
        guard let value else { return "—" }
        return ByteCountFormatter.string(fromByteCount: Int64(value), countStyle: .binary) + " (\(Int64(value)) bytes)"
    }

    static func labels(_ value: JSONValue?) -> HTML {
        guard let members = value?.objectValue, !members.isEmpty else { return "<span class=\"muted\">none</span>" }
        return HTML.join(members.map { "<code>\($0.key)=\(text($0.value))</code>" }, separator: " ")
    }

    /// A scalar as text: strings as they are, numbers and booleans written out, anything else as JSON.
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return "—"
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case .double(let number)?: return String(number)
        case .bool(let flag)?: return flag ? "true" : "false"
        case .array(let items)? where items.allSatisfy({ $0.stringValue != nil }):
            return items.compactMap(\.stringValue).joined(separator: ", ")
        case let other?: return other.jsonString()
        }
    }

    static func notice(_ text: String, error: Bool = false) -> HTML {
        error ? "<p class=\"notice error\" role=\"alert\">\(text)</p>" : "<p class=\"notice\" role=\"status\">\(text)</p>"
    }
}

import SyncEngine

/// `-o markdown`: a pull-request comment. A marker line (to find and update the comment), a
/// summary, blocking findings and warnings, a table of the objects, then one collapsible
/// section per object with its diffs and quality results, objects with findings first. The
/// whole stays under `budget` UTF-8 bytes (GitHub refuses comments over 65,536 characters):
/// the table and the sections stop early and say how many objects were left out.
public struct PlanMarkdown: Sendable {
    public static let marker = "<!-- datapilot-plan -->"
    public static let defaultBudget = 60_000

    public let report: PlanReport
    public let budget: Int

    public init(_ report: PlanReport, budget: Int = PlanMarkdown.defaultBudget) {
        self.report = report
        self.budget = budget
    }

    public func render() -> String {
        var out = header()
        if !report.errors.isEmpty {
            out += "\n**The head commit is invalid**; nothing can be planned until these are fixed:\n\n"
            var shown = 0
            for error in report.errors where out.utf8.count < budget - 2_000 {
                out +=
                    "- `\(error.file):\(error.line):\(error.column)`: \(MarkdownText.cell((error.path.isEmpty ? "" : error.path + ": ") + error.message))\n"
                shown += 1
            }
            if shown < report.errors.count { out += "- ... and \(report.errors.count - shown) more\n" }
            return out
        }
        out += findingsBlock()
        if report.objects.isEmpty {
            return out + "\nNothing to change: \(report.unchanged) object\(report.unchanged == 1 ? "" : "s") unchanged.\n"
        }
        let ordered = Self.reviewOrder(report.objects)
        // The table takes at most a third of the budget; the sections what is left.
        let tableBudget = budget / 3
        var table = "\n| object | git | server | review | quality |\n| --- | --- | --- | --- | --- |\n"
        var rows = 0
        for object in ordered {
            let row =
                "| `\(object.ref)` | \(gitCell(object)) | \(object.live.map { $0.outcome.rawValue } ?? "—") | \(reviewCell(object)) | \(qualityCell(object)) |\n"
            if table.utf8.count + row.utf8.count > tableBudget { break }
            table += row
            rows += 1
        }
        if rows < ordered.count {
            table += "\n_\(ordered.count - rows) more object\(ordered.count - rows == 1 ? "" : "s") not in this table._\n"
        }
        out += table + "\n"
        let footerReserve = 400
        var sections = 0
        for object in ordered {
            let section = self.section(object)
            if out.utf8.count + section.utf8.count > budget - footerReserve { break }
            out += section
            sections += 1
        }
        if sections < ordered.count {
            let left = ordered.count - sections
            out +=
                "\n_\(left) more object\(left == 1 ? "" : "s") not shown: the comment is kept under GitHub's 65,536-character limit. Run `dpctl plan -o json` for the whole plan._\n"
        }
        return out
    }

    func header() -> String {
        var out = "\(Self.marker)\n### DataPilot plan\n\n"
        out += "`\(report.base.short)` → `\(report.head.short)`"
        if !report.head.summary.isEmpty { out += " (\(MarkdownText.cell(report.head.summary)))" }
        if !report.path.isEmpty { out += " in `\(MarkdownText.cell(report.path))`" }
        out += "\n\n"
        let verdict = report.isBlocking ? "❌ **Blocked**" : report.hasChanges ? "📝 **Changes**" : "✅ **No changes**"
        var counts = ManifestChangeKind.allOrdered.map { "\(report.count($0)) \($0.rawValue)" }.joined(separator: ", ")
        counts = "git: \(counts)"
        if let server = report.server {
            let live = [ApplyOutcome.created, .configured, .pruned, .refused].map { "\(report.count($0)) \($0.rawValue)" }.joined(
                separator: ", ")
            counts += "; server (`\(MarkdownText.cell(server))`\(report.applySet.map { ", apply set `\($0)`" } ?? "")): \(live)"
        } else {
            counts += "; no server given: live changes not planned"
        }
        counts += "; \(report.unchanged) unchanged"
        return out + "\(verdict) — \(counts)\n"
    }

    func findingsBlock() -> String {
        let all = report.allFindings
        guard !all.isEmpty else { return "" }
        var out = "\n"
        let privileged = all.filter { $0.code == .privileged }
        let blocking = all.filter(\.blocking), warnings = all.filter { !$0.blocking && $0.code != .privileged }
        for (title, list) in [
            ("🔐 Executes code: an executor reviews these first", privileged), ("❌ Blocking", blocking), ("⚠️ Warnings", warnings),
        ]
        where !list.isEmpty {
            out += "**\(title) (\(list.count))**\n\n"
            for finding in list.prefix(15) { out += "- \(MarkdownText.cell(finding.message))\n" }
            if list.count > 15 { out += "- ... and \(list.count - 15) more (in the sections below)\n" }
            out += "\n"
        }
        return out
    }

    func gitCell(_ object: PlanObject) -> String {
        guard let change = object.change else { return "—" }
        if change == .renamed, let from = object.renamedFrom { return "renamed from `\(from.name)`" }
        return change.rawValue
    }

    func reviewCell(_ object: PlanObject) -> String {
        if object.isBlocking { return "❌ " + object.findings.filter(\.blocking).map(\.code.rawValue).joined(separator: ", ") }
        if object.hasWarnings { return "⚠️ " + Array(Set(object.findings.map(\.code.rawValue))).sorted().joined(separator: ", ") }
        return "—"
    }

    func qualityCell(_ object: PlanObject) -> String {
        guard let quality = object.quality else { return "—" }
        guard quality.evaluated else { return "not evaluated" }
        var parts: [String] = []
        for outcome in QualityOutcome.allCases {
            let n = quality.findings.filter { $0.outcome == outcome }.count
            if n > 0 { parts.append("\(n) \(outcome.rawValue)") }
        }
        return parts.isEmpty ? "no rules" : parts.joined(separator: ", ")
    }

    func section(_ object: PlanObject) -> String {
        let mark = object.isBlocking ? "❌ " : object.hasWarnings ? "⚠️ " : ""
        var summary = "\(mark)<code>\(object.ref)</code>"
        var what: [String] = []
        if object.change != nil { what.append(gitCell(object).replacingOccurrences(of: "`", with: "")) }
        if let live = object.live { what.append("server: \(live.outcome.rawValue)") }
        if !what.isEmpty { summary += " — " + MarkdownText.cell(what.joined(separator: ", ")) }
        var out = "<details><summary>\(summary)</summary>\n\n"
        for finding in object.findings {
            out += "- \(finding.blocking ? "❌" : "⚠️") \(MarkdownText.cell(finding.message))\n"
        }
        if !object.findings.isEmpty { out += "\n" }
        if let quality = object.quality, !quality.findings.isEmpty {
            if let note = quality.note { out += "Quality: \(MarkdownText.cell(note))\n\n" }
            out += "| rule | check | severity | outcome | observed | unexpected | message |\n| --- | --- | --- | --- | --- | --- | --- |\n"
            for f in quality.findings.prefix(50) {
                out +=
                    "| \(MarkdownText.cell(f.rule)) | \(MarkdownText.cell(f.check)) | \(f.severity) | \(Self.outcomeMark(f.outcome)) | \(MarkdownText.cell(f.observed ?? "")) | \(f.unexpectedCount.map(String.init) ?? "") | \(MarkdownText.cell(f.message)) |\n"
            }
            if quality.findings.count > 50 { out += "\n_\(quality.findings.count - 50) more checks not shown._\n" }
            out += "\n"
        } else if let note = object.quality?.note {
            out += "Quality: \(MarkdownText.cell(note))\n\n"
        }
        if !object.diff.isEmpty {
            out += "Manifest change:\n\n" + MarkdownText.fence(MarkdownText.clipped(object.diff, limit: 3_000), language: "diff") + "\n"
        }
        if let live = object.live, !live.diff.isEmpty, live.diff != object.diff {
            out += "Live → desired:\n\n" + MarkdownText.fence(MarkdownText.clipped(live.diff, limit: 3_000), language: "diff") + "\n"
        }
        return out + "</details>\n"
    }

    static func outcomeMark(_ outcome: QualityOutcome) -> String {
        switch outcome {
        case .passed: return "✅ PASSED"
        case .warned: return "⚠️ WARNED"
        case .failed: return "❌ FAILED"
        case .error: return "❗ ERROR"
        }
    }

    /// Blocking objects first, then those with warnings, then the rest; by object within each.
    static func reviewOrder(_ objects: [PlanObject]) -> [PlanObject] {
        objects.sorted { a, b in
            let ra = a.isBlocking ? 0 : a.hasWarnings ? 1 : 2, rb = b.isBlocking ? 0 : b.hasWarnings ? 1 : 2
            return ra != rb ? ra < rb : a.ref < b.ref
        }
    }
}

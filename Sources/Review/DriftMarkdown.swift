import Manifests
import SyncEngine

/// `dpctl drift -o markdown`: a summary and a table per drifted object.
public struct DriftMarkdown: Sendable {
    public let report: DriftReport
    public let budget: Int

    public init(_ report: DriftReport, budget: Int = PlanMarkdown.defaultBudget) {
        self.report = report
        self.budget = budget
    }

    public func render() -> String {
        var out = "### DataPilot drift report\n\n"
        out += "\(MarkdownText.cell(report.scope))\(report.commit.map { " at `\(String($0.prefix(12)))`" } ?? ""), \(report.time): "
        out +=
            report.items.isEmpty
            ? "✅ **no drift** in \(report.scanned) objects" : "⚠️ **\(report.items.count) drifted** of \(report.scanned) objects"
        if report.healedCount > 0 { out += ", \(report.healedCount) healed" }
        if report.ignored > 0 { out += ", \(report.ignored) ignored" }
        out += ".\n\n"
        for warning in report.warnings.prefix(20) { out += "- ⚠️ \(MarkdownText.cell(warning))\n" }
        var shown = 0
        for item in report.items {
            var section = "#### `\(item.ref)` — \(item.kind.phrase)\(item.healed == true ? " (healed)" : "")\n\n"
            section += "Mode: \(item.mode.rawValue)."
            if let change = item.lastChange {
                section +=
                    " Last changed by **\(MarkdownText.cell(change.actor))** at \(MarkdownText.cell(change.time)) (\(MarkdownText.cell(change.action)), request `\(MarkdownText.cell(change.requestID))`)."
            }
            if let note = item.note { section += " \(MarkdownText.cell(note))." }
            section += "\n\n"
            if !item.fields.isEmpty {
                section += "| field | desired | live |\n| --- | --- | --- |\n"
                for field in item.fields.prefix(100) {
                    section +=
                        "| `\(MarkdownText.cell(field.path))` | \(MarkdownText.cell(String(JSONValue.shown(field.desired).prefix(300)))) | \(MarkdownText.cell(String(JSONValue.shown(field.live).prefix(300)))) |\n"
                }
                section += "\n"
            }
            if out.utf8.count + section.utf8.count > budget - 300 { break }
            out += section
            shown += 1
        }
        if shown < report.items.count { out += "_\(report.items.count - shown) more drifted objects not shown; see `-o json`._\n" }
        return out
    }
}

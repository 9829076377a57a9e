import CLIKit
import Review
import SyncEngine

/// `dpctl plan`'s text: the commits, counts, findings, then each object with its diffs and
/// quality results; colour on a terminal.
struct PlanText {
    let report: PlanReport
    let style: Style

    func write(to terminal: Terminal) {
        var out = "Plan \(report.base.short) → \(report.head.short)"
        if !report.head.summary.isEmpty { out += " (\(report.head.summary))" }
        out += "\n"
        if !report.errors.isEmpty {
            for e in report.errors {
                out +=
                    "\(style.bold("\(e.file):\(e.line):\(e.column):")) \(style.red("error:")) \(e.path.isEmpty ? "" : style.bold(e.path) + ": ")\(e.message)\n"
            }
            out +=
                style.red("invalid")
                + ": the head commit has \(report.errors.count) error\(report.errors.count == 1 ? "" : "s"); nothing was planned\n"
            terminal.write(out)
            return
        }
        out +=
            "git: "
            + [ManifestChangeKind.added, .changed, .removed, .renamed].map { "\(report.count($0)) \($0.rawValue)" }.joined(separator: ", ")
        if let server = report.server {
            out +=
                "\nserver \(server): "
                + [ApplyOutcome.created, .configured, .pruned, .refused].map { "\(report.count($0)) \($0.rawValue)" }.joined(
                    separator: ", ")
        }
        out += "\n\(report.unchanged) unchanged\n"
        for finding in report.allFindings {
            let label =
                finding.code == .privileged
                ? style.red("executes code:") : (finding.blocking ? style.red("blocking:") : style.yellow("warning:"))
            out += label + " \(finding.message)\n"
        }
        for object in report.objects {
            var what: [String] = []
            if let change = object.change {
                what.append(change == .renamed ? "renamed from \(object.renamedFrom?.description ?? "?")" : change.rawValue)
            }
            if let live = object.live { what.append("server: " + colored(live.outcome)) }
            out += "\n" + style.bold(object.ref.description) + "  " + what.joined(separator: ", ") + "\n"
            if let quality = object.quality {
                if let note = quality.note { out += "  quality: \(note)\n" }
                for f in quality.findings {
                    let outcome =
                        f.outcome == .passed
                        ? style.green(f.outcome.rawValue)
                        : f.outcome == .warned ? style.yellow(f.outcome.rawValue) : style.red(f.outcome.rawValue)
                    out +=
                        "  quality \(f.rule)/\(f.check) [\(f.severity)] \(outcome)\(f.observed.map { " observed \($0)" } ?? ""): \(f.message)\n"
                }
            }
            out += colorDiff(object.diff)
            if let live = object.live, !live.diff.isEmpty, live.diff != object.diff { out += colorDiff(live.diff) }
        }
        terminal.write(out)
    }

    func colored(_ outcome: ApplyOutcome) -> String {
        switch outcome {
        case .created, .configured: return style.green(outcome.rawValue)
        case .pruned, .deleted: return style.yellow(outcome.rawValue)
        case .refused, .failed, .skipped: return style.red(outcome.rawValue)
        case .unchanged: return outcome.rawValue
        }
    }

    func colorDiff(_ text: String) -> String {
        guard !text.isEmpty else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line -> String in
            let line = String(line)
            if line.hasPrefix("+++") || line.hasPrefix("---") { return "  " + style.bold(line) }
            if line.hasPrefix("+") { return "  " + style.green(line) }
            if line.hasPrefix("-") { return "  " + style.red(line) }
            if line.hasPrefix("@@") { return "  " + style.dim(line) }
            return "  " + line
        }.joined(separator: "\n") + "\n"
    }
}

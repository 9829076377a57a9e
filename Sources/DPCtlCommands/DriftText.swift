import CLIKit
import Manifests
import Review
import SyncEngine

/// `dpctl drift`'s text: one block per drifted object, then a summary line.
struct DriftText {
    let report: DriftReport
    let style: Style

    func write(to terminal: Terminal) {
        var out = ""
        for warning in report.warnings { out += style.yellow("warning:") + " \(warning)\n" }
        for item in report.items {
            let state = item.healed == true ? style.green("healed") : style.yellow(item.kind.phrase)
            out += "\(style.bold(item.ref.description)) \(state) (mode \(item.mode.rawValue))\n"
            if let change = item.lastChange {
                out += "  last changed by \(style.bold(change.actor)) at \(change.time) (\(change.action), request \(change.requestID))\n"
            }
            if let note = item.note { out += "  \(note)\n" }
            for field in item.fields {
                out +=
                    "  \(field.path): " + style.red("live " + Self.shown(field.live)) + ", "
                    + style.green("desired " + Self.shown(field.desired)) + "\n"
            }
        }
        let summary =
            "\(report.items.count) drifted, \(report.healedCount) healed, \(report.ignored) ignored, \(report.scanned) objects compared (\(report.scope))"
        out += (report.items.isEmpty ? style.green("no drift") + ": " : "") + summary + "\n"
        terminal.write(out)
    }

    static func shown(_ value: JSONValue?) -> String {
        guard let value else { return "(absent)" }
        return value.jsonString()
    }
}

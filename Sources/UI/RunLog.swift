import APIClient
import APIModel
import Manifests

/// The end of a run's `run.log` (the executor's capture of its output) on the run page: the
/// last `tailBytes` read with a suffix range, whole lines only, and the whole file to download.
extension UIRoutes {
    static let tailBytes = 32 << 10

    func runLog(_ session: UISessions.Session, run: String, artifacts: [JSONValue]) async throws -> HTML {
        guard let log = artifacts.first(where: { $0["name"]?.stringValue == "run.log" }) else {
            return "<p class=\"muted\" id=\"run-log\">No run.log: the run was not executed here, or has not started.</p>"
        }
        let size = Int(log["size"]?.numberValue ?? 0)
        let download = Layout.link(Layout.path("runs", run, "artifacts", "run.log"), "Download the whole run.log")
        guard size > 0 else { return "<p class=\"muted\" id=\"run-log\">run.log is empty. \(download)</p>" }
        let answer = try await gateway.client.send(
            "GET", "/api/experiment-runs/\(APIPath.segment(run))/artifacts/run.log",
            headers: [("Authorization", "Bearer \(session.token)"), ("Range", "bytes=-\(Self.tailBytes)")])
        var text = String(decoding: answer.body, as: UTF8.self)
        let cut = size > answer.body.count
        // Cut into the middle of a line: start at the next whole one.
        if cut, let newline = text.firstIndex(of: "\n") { text = String(text[text.index(after: newline)...]) }
        let caption: String = cut ? "The last \(Layout.bytes(Double(answer.body.count))) of \(Layout.bytes(Double(size)))" : "All of it"
        return """
            <p class="muted">\(caption). \(download)</p>
            <pre class="log" id="run-log" tabindex="0" aria-label="The end of run.log">\(text)</pre>
            """
    }
}

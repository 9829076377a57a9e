import APIClient
import APIModel
import Evidence
import EvidenceVerification
import Manifests

/// A run's evidence bundles on its page, the newest with a "verified" badge computed by the same
/// verifier as `dpctl evidence verify` (`EvidenceVerification.BundleVerifier`): each signature by
/// the server's published key, each subject against the registry and the run's artifacts now, the
/// audit anchor against the chain; all through the gateway with the user's own token.
extension UIRoutes {
    /// Only the newest bundle is verified on the page (verifying re-hashes artifacts and walks the chain).
    func evidencePanel(_ session: UISessions.Session, run base: String) async throws -> HTML {
        let list = try await gateway.get(base + "/evidence-bundles", token: session.token)
        let records = list["items"]?.arrayValue ?? []
        guard let newest = records.first, let id = newest["id"]?.stringValue else { return "<p class=\"muted\">No evidence bundles.</p>" }
        let client = APIClient(server: gateway.client.server, token: session.token, maxAttempts: 2, timeoutSeconds: 60)
        var badge: HTML
        var checks: [[HTML]] = []
        do {
            let bytes = try await client.send("GET", base + "/evidence-bundles/" + APIPath.segment(id)).body
            let bundle = try EvidenceBundle(bytes: bytes)
            let results = try await BundleVerifier(client: client, bundle: bundle, pinnedKeys: nil).run()
            let failed = results.filter { !$0.passed }
            badge =
                failed.isEmpty
                ? "<span class=\"status good\" id=\"evidence-badge\">verified</span> (\(results.count) checks passed)"
                : "<span class=\"status bad\" id=\"evidence-badge\">not verified</span> (\(failed.count) of \(results.count) checks failed)"
            checks = results.map { [Layout.status($0.passed ? "passed" : "failed"), "\($0.name)", "\($0.detail)"] }
        } catch let error as APIError where error.code == .unauthorized {
            throw error
        } catch {
            badge = "<span class=\"status bad\" id=\"evidence-badge\">not verified</span> (the bundle could not be checked: \("\(error)"))"
        }
        let rows: [[HTML]] = records.map { record in
            [
                "<code>\(Layout.text(record["id"]))</code>", "\(Layout.text(record["createdAt"]))", "\(Layout.text(record["createdBy"]))",
                Layout.digest(record["sha256"]?.stringValue),
            ]
        }
        return """
            <p>Newest bundle <code>\(id)</code>: \(badge)</p>
            \(Layout.table(caption: "Checks of the newest bundle, as dpctl evidence verify --trust-server-key makes them",
                headers: ["Result", "Check", "Detail"], rows: checks, empty: ""))
            \(Layout.table(caption: "Evidence bundles, newest first", headers: ["Bundle", "Created", "By", "SHA-256"], rows: rows, empty: ""))
            """
    }
}

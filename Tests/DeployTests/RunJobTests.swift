import Experiments
import Foundation
import Manifests
import TestSupport
import Testing

/// The Kubernetes executor's Job and Secret pass the same gate as deploy/: the Kubernetes
/// schemas offline and checkov (scripts/validate-k8s.sh).
@Suite struct RunJobTests {
    @Test func theRenderedJobValidatesAndPassesTheSecurityScan() async throws {
        let folder = try scratchFolder("run-job")
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec: JSONValue = [
            "experiment": "churn-baselines",
            "image": ["reference": "ghcr.io/acme/churn-train:1.4", "digest": .string("sha256:" + String(repeating: "c", count: 64))],
            "command": ["python3", "train.py"],
        ]
        // A long name too: the Job's name and labels must stay within Kubernetes' 63 characters.
        for name in ["churn-baselines-logreg", "churn-baselines-" + String(repeating: "x", count: 70) + ".v2"] {
            let rendered = KubernetesJob.render(
                run: name, uid: "0b7c6f7e-2f6a-4c1e-9a51-3f1d2b8e4c77", spec: spec,
                publicURL: "https://datapilot.example.com", namespace: "datapilot", token: "dpt.e30.c2ln",
                suspend: true)
            #expect(rendered.job["metadata"]?["name"]?.stringValue.map { $0.count <= 63 && $0.hasSuffix("-0b7c6f7e") } == true)
            // The run's pod reaches DNS, the API's pods and public addresses: not the cluster's private
            // ranges (Postgres) nor the metadata service.
            let policy = rendered.networkPolicy["spec"]
            #expect(policy?["policyTypes"]?.strings() == ["Ingress", "Egress"])
            let excluded =
                policy?["egress"]?.arrayValue?.flatMap { $0["to"]?.arrayValue ?? [] }.flatMap { $0["ipBlock"]?["except"]?.strings() ?? [] }
                ?? []
            #expect(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"].allSatisfy(excluded.contains), "\(excluded)")
            let file = folder.appendingPathComponent("\(name.count).yaml")
            try Data(([rendered.job, rendered.secret, rendered.networkPolicy].map(YAMLEmitter.emit).joined(separator: "---\n")).utf8).write(
                to: file)
            let outcome = try await run(repositoryRoot.appendingPathComponent("scripts/validate-k8s.sh").path, [file.path])
            #expect(outcome.status == 0, "\(name): \(outcome.stderr.suffix(3000))")
        }
    }
}

import APIClient
import APIModel
import CLIKit
import Foundation
import Manifests

/// `dpctl apply --wait[=TIMEOUT]`: after the apply, the health of the objects it applied, asked
/// every second until none is Progressing (evaluations done, runs it started finished) or the
/// time has passed, as `kubectl wait` and Flux's `wait` do. Degraded or still Progressing at
/// the end is a failure (exit 1), naming each object and why.
struct HealthWait {
    let client: APIClient
    let objects: [ObjectRef]
    let timeout: Double

    /// "5m", "30s", "1h" (`--wait=TIMEOUT`); 5 minutes without a value.
    static func timeout(_ text: String?) throws -> Double {
        guard let text else { return 300 }
        guard let seconds = DurationText.seconds(text), seconds >= 1, seconds <= 86_400 else {
            throw CLIError("--wait=\(text): give a duration from 1s to 24h, such as 30s or 5m", exitCode: 2)
        }
        return seconds
    }

    /// The health at the end; `progress` hears each report while it waits.
    func run(progress: (HealthReport) -> Void) async throws -> HealthReport {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while true {
            let report = try await once()
            progress(report)
            if report.health != .progressing || ContinuousClock.now >= deadline { return report }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// One look, in requests of at most `HealthRequest.maxObjects` objects.
    func once() async throws -> HealthReport {
        var health: [HealthState] = []
        var counts: [String: Int] = [:]
        var listed: [ObjectHealth] = []
        var start = 0
        let names = objects.map(\.description)
        while start < names.count {
            let chunk = Array(names[start..<min(names.count, start + HealthRequest.maxObjects)])
            let report = try HealthReport.decode(try await client.send("POST", "/api/health", body: HealthRequest(objects: chunk)).json)
            health.append(report.health)
            for (key, value) in report.counts { counts[key, default: 0] += value }
            listed += report.objects
            start += chunk.count
        }
        listed.sort { ($0.health, $1.object) > ($1.health, $0.object) }
        return HealthReport(health: .overall(health), counts: counts, objects: Array(listed.prefix(HealthReport.maxListed)))
    }
}

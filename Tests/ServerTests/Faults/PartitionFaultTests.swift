import Foundation
import Manifests
import TestSupport
import Testing

/// A network partition between the reconciler and the server, made with a network namespace and
/// a veth pair (no proxy): the reconciler runs inside, reaching the server only through the
/// pair, and Postgres and git through files (the Unix socket, file://), so only the server
/// goes out of reach. Where the kernel refuses namespaces the suite is disabled, with the reason
/// shown, not passed.
@Suite(
    .timeLimit(.minutes(4)),
    .enabled(if: NetworkNamespace.refusal == nil, "needs network namespaces and veth pairs (root, iproute2); see NetworkNamespace.refusal")
)
struct PartitionFaultTests {
    /// Cut while a commit waits: the sync fails within the API timeout (recorded in Postgres,
    /// which the reconciler still reaches), nothing hangs; healed: the commit converges.
    @Test func aPartitionBetweenReconcilerAndServerFailsTheSyncAndHeals() async throws {
        let cluster = try await PrivateCluster.start()
        let namespace = try await NetworkNamespace.create()
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        do {
            try await withServer(environment: ["DATAPILOT_HOST": "0.0.0.0"], cluster: cluster.url) { server in
                // The same database through the cluster's Unix socket (the namespace has its own loopback).
                let database = try #require(server.databaseURL.split(separator: "/").last)
                let socketURL = "postgres://datapilot@/\(database)?host=\(cluster.folder)&port=\(cluster.port)"
                let reconciler = try await TestReconciler(
                    server: server,
                    arguments: [
                        "--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "2s", "--api-timeout", "5s",
                    ],
                    environment: ["DATAPILOT_SERVER": "http://\(namespace.hostAddress):\(server.port)"], host: namespace.innerAddress,
                    launcher: namespace.exec, databaseURL: socketURL)
                do {
                    let invariants = FaultInvariants(
                        server: server, reconciler: reconciler, source: "examples", manifests: repository.file("examples"))
                    try await invariants.expectConverged(to: try await repository.git("rev-parse", "HEAD"))

                    try await namespace.cut()
                    try edit(
                        repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn@example.com")
                    let head = try await repository.commit("Churn has its own team")
                    var seen = ""
                    let failed = try await eventually(120) {
                        seen = try await PrivateCluster.shell(
                            #""$(pg_bindir)/psql" "$1" -Atc "select last_result || ' ' || coalesce(last_error, '') from reconciler_sources where name = 'examples' and last_attempted_commit = '$2'""#,
                            server.databaseURL, head)
                        return seen.hasPrefix("failed") || seen.hasPrefix("error")
                    }
                    #expect(failed, "the sync failed while cut off: \(seen)\n\(reconciler.logText.suffix(3000))")
                    #expect(seen.contains("cannot reach the DataPilot server"), "\(seen)")
                    #expect(reconciler.process.isRunning)

                    try await namespace.heal()
                    try await invariants.expectConverged(to: head, within: 90)
                } catch {
                    await reconciler.stop()
                    throw error
                }
                await reconciler.stop()
            }
        } catch {
            await namespace.remove()
            await cluster.remove()
            throw error
        }
        await namespace.remove()
        await cluster.remove()
    }
}

import Foundation
import TestSupport
import Testing

/// dpctl is a client: it links no HTTP server, no Postgres client and no metrics exporter. Those
/// are datapilot-server's and datapilot-reconciler's (`dpctl reconcile` runs the latter), and a
/// dependency that pulls one of them back into dpctl fails here.
@Suite struct LinkSetTests {
    /// The Swift modules dpctl must not contain. Every symbol a module defines starts with its
    /// mangled name, `$s` + length + name, e.g. `$s11Hummingbird`.
    static let serverModules = [
        "Hummingbird", "HummingbirdCore", "NIOHTTP1", "NIOPosix", "Prometheus",
        "ServiceKit", "Postgres", "Reconciler", "ReconcilerCommand",
    ]

    @Test func dpctlLinksNoPostgresLibrary() throws {
        let dpctl = try Products.path("dpctl")
        let ldd = try Subprocess.run("ldd", [dpctl])
        #expect(ldd.status == 0, "ldd \(dpctl): \(ldd.stderr)")
        // The check sees the libraries dpctl does link.
        #expect(ldd.stdout.contains("libgit2") && ldd.stdout.contains("libcurl"), "\(ldd.stdout)")
        #expect(!ldd.stdout.contains("libpq"), "dpctl links libpq:\n\(ldd.stdout)")
    }

    @Test func dpctlHoldsNoServerModule() throws {
        let dpctl = try Products.path("dpctl")
        let nm = try Subprocess.run("nm", [dpctl])
        #expect(nm.status == 0, "nm \(dpctl): \(nm.stderr)")
        let symbols = nm.stdout.split(separator: "\n")
        // The check sees the modules dpctl does hold.
        for module in ["Manifests", "DPCtlCommands", "CLIKit"] {
            #expect(symbols.contains { $0.contains(Self.mangled(module)) }, "\(module)")
        }
        for module in Self.serverModules {
            let found = symbols.filter { $0.contains(Self.mangled(module)) }
            #expect(found.isEmpty, "dpctl holds \(found.count) symbols of \(module), e.g. \(found.prefix(3).joined(separator: "; "))")
        }
        let libpq = symbols.filter { $0.hasSuffix(" PQconnectdb") || $0.hasSuffix(" PQexec") || $0.hasSuffix(" PQconnectdbParams") }
        #expect(libpq.isEmpty, "dpctl calls libpq: \(libpq)")
    }

    static func mangled(_ module: String) -> String { "$s\(module.utf8.count)\(module)" }
}

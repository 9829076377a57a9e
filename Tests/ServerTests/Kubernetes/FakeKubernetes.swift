import Blocking
import Curl
import Foundation
import Manifests
import TestSupport

/// The fake Kubernetes API of Tests/KubernetesFake/fake_apiserver.py on loopback over HTTPS,
/// with a self-signed certificate made here by openssl, and a kubeconfig pointing at it.
final class FakeKubernetes: Sendable {
    static let token = "fake-sa-token-0123456789abcdef"
    let peer: Peer
    let folder: URL
    var port: Int { Int(peer.announcement.dropFirst("PORT ".count)) ?? 0 }
    let io = BlockingQueue(concurrentLabel: "datapilot.tests.fake-kubernetes")

    var server: String { "https://127.0.0.1:\(port)" }
    var certificate: String { folder.appendingPathComponent("ca.crt").path }

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fake-kube-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = { [folder] (name: String) in folder.appendingPathComponent(name).path }
        // The server's certificate (its own CA), and a client CA with one client certificate signed by it.
        try await Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=fake-kube-apiserver",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", path("tls.key"), "-out", path("ca.crt"),
        ])
        try await Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=fake-client-ca",
            "-keyout", path("client-ca.key"), "-out", path("client-ca.crt"),
        ])
        try await Self.openssl([
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=datapilot-executor", "-keyout", path("client.key"), "-out",
            path("client.csr"),
        ])
        try await Self.openssl([
            "x509", "-req", "-in", path("client.csr"), "-CA", path("client-ca.crt"), "-CAkey", path("client-ca.key"),
            "-CAcreateserial", "-days", "1", "-out", path("client.crt"),
        ])

        let script = repositoryRoot.appendingPathComponent("Tests/KubernetesFake/fake_apiserver.py")
        peer = try await Peer.start(
            "the fake Kubernetes API server", "python3",
            [
                script.path, "--cert", path("ca.crt"), "--key", path("tls.key"), "--token", Self.token, "--client-ca",
                path("client-ca.crt"),
            ], ready: .announcesLine)
        guard peer.announcement.hasPrefix("PORT ") else {
            throw SetupError(
                .peerDidNotStart, "the fake Kubernetes API server did not start: \(peer.announcement) \(peer.log.suffix(2000))")
        }
    }

    static func openssl(_ arguments: [String]) async throws { try await Subprocess.check("openssl", arguments) }

    func stop() {
        peer.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// A kubeconfig for the fake: its CA inline (`certificate-authority-data`) or as a file, and a token.
    /// With `clientCertificate`, the user is the client certificate and key (inline) instead of a token.
    func kubeconfig(token: String = FakeKubernetes.token, inlineCA: Bool = true, clientCertificate: Bool = false) throws -> String {
        func inline(_ name: String) throws -> String { try Data(contentsOf: folder.appendingPathComponent(name)).base64EncodedString() }
        let user =
            clientCertificate
            ? "client-certificate-data: \(try inline("client.crt"))\n      client-key-data: \(try inline("client.key"))"
            : "token: \(token)"
        let ca =
            inlineCA
            ? "certificate-authority-data: " + (try Data(contentsOf: URL(fileURLWithPath: certificate))).base64EncodedString()
            : "certificate-authority: ca.crt"
        let text = """
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters:
              - name: fake-cluster
                cluster:
                  server: \(server)
                  \(ca)
            users:
              - name: datapilot-executor
                user:
                  \(user)
            contexts:
              - name: fake
                context: {cluster: fake-cluster, user: datapilot-executor, namespace: from-context}
            """
        let file = folder.appendingPathComponent("kubeconfig-\(UUID().uuidString.prefix(6)).yaml")
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// A request to the fake's test controls (or, with `token`, to its API).
    func request(_ method: String, _ path: String, json: String? = nil, token: String? = nil) async throws -> HTTPResponse {
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if json != nil { headers.append(("Content-Type", "application/json")) }
        var request = HTTPRequest(method: method, url: server + path, headers: headers, body: json.map { .bytes(Array($0.utf8)) } ?? .none)
        request.tls = TLSOptions(certificateAuthority: .file(certificate))
        let prepared = request
        return try await io.run { try Transfer().perform(prepared) }
    }

    /// Every API request the fake answered so far.
    func requests() async throws -> [JSONValue] {
        try await request("GET", "/_fake/requests").json.arrayValue ?? []
    }

    /// The objects of one resource (`jobs`, `secrets`, `networkpolicies`, `pods`).
    func objects(_ resource: String) async throws -> [JSONValue] {
        try await request("GET", "/_fake/objects").json[resource]?.arrayValue ?? []
    }
}

/// A fake API server and a datapilot-server whose Kubernetes executor uses it (kubeconfig).
func withKubernetes(
    token: String = FakeKubernetes.token, environment: [String: String] = [:],
    before: (FakeKubernetes) async throws -> Void = { _ in },
    _ body: (FakeKubernetes, TestServer) async throws -> Void
) async throws {
    let fake = try await FakeKubernetes()
    defer { fake.stop() }
    try await before(fake)
    let settings = [
        "DATAPILOT_EXECUTORS": "kubernetes", "DATAPILOT_KUBECONFIG": try fake.kubeconfig(token: token),
        "DATAPILOT_KUBERNETES_NAMESPACE": "datapilot-runs", "DATAPILOT_RUN_HEARTBEAT_TIMEOUT_SECONDS": "8",
        "DATAPILOT_PUBLIC_URL": "https://datapilot.example.com",
    ].merging(environment) { $1 }
    try await withServer(environment: settings) { server in try await body(fake, server) }
}

import Curl
import DataPilotServer
import Foundation
import Settings
import Synchronization
import Testing

/// Issue 14, finding 5: connections held open without credentials (idle, a request line dribbled
/// a byte at a time, a body that never arrives) must neither starve the API nor stay forever.
@Suite("SecurityTests: connections", .serialized)
struct SecurityConnectionTests {
    enum Kind: String, CaseIterable {
        case idle, slowHeader, slowBodyAnonymous, slowBodyAuthenticated, keptAlive

        /// What the attacker sends first; slow headers then get one more byte every half second. A
        /// kept-alive connection sends one whole request and then nothing.
        var opening: String {
            let head = "POST /api/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n"
            switch self {
            case .idle: return ""
            case .keptAlive: return "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            case .slowHeader: return "GET /api/datasets?limit=1"
            case .slowBodyAnonymous: return head + "\r\n{\"metadata\": "
            case .slowBodyAuthenticated: return head + "Authorization: Bearer \(TestServer.adminKey)\r\n\r\n{\"metadata\": "
            }
        }
    }

    static let timeoutSeconds = 8
    static let timeouts = [
        "DATAPILOT_HEADER_TIMEOUT_SECONDS": String(timeoutSeconds), "DATAPILOT_BODY_TIMEOUT_SECONDS": String(timeoutSeconds),
        "DATAPILOT_IDLE_TIMEOUT_SECONDS": String(timeoutSeconds),
    ]

    /// One request that must answer `status` within a second while the attack goes on.
    func answersQuickly(_ server: TestServer, _ path: String, key: String?, _ comment: String) async throws {
        let started = ContinuousClock.now
        let response = try await server.request("GET", path, key: key)
        let elapsed = ContinuousClock.now - started
        #expect(response.status == 200, "\(comment): \(response.status) \(response.text)")
        #expect(elapsed < .seconds(1), "\(comment) took \(elapsed) while 1,000 connections were held")
    }

    @Test func aThousandHeldConnectionsNeitherStarveTheAPINorStayOpen() async throws {
        raiseOpenFileLimit()
        try await withServer(environment: Self.timeouts) { server in
            var held: [(Kind, LoopbackSocket)] = []
            for index in 0..<1000 {
                let kind = Kind.allCases[index % Kind.allCases.count]
                let socket = try LoopbackSocket(port: server.port)
                if !kind.opening.isEmpty { socket.send(kind.opening) }
                held.append((kind, socket))
            }
            let opened = ContinuousClock.now
            // The request line goes on arriving, a byte at a time, until the server hangs up.
            let dribbling = Atomic<Bool>(true)
            let slowHeaders = held.filter { $0.0 == .slowHeader }.map(\.1)
            let dribbler = Task.detached {
                while dribbling.load(ordering: .relaxed) {
                    for socket in slowHeaders { socket.send("&") }
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
            defer { dribbling.store(false, ordering: .relaxed) }

            // The attack's own requests (200 authenticated heads, 200 kept-alive GETs) are served first.
            try await Task.sleep(for: .seconds(1))
            for round in 1...3 {
                try await answersQuickly(server, "/healthz", key: nil, "/healthz (round \(round))")
                try await answersQuickly(
                    server, "/api/datasets", key: TestServer.adminKey, "an authenticated GET /api/datasets (round \(round))")
            }
            // Those were answered while the connections were held, not after the server dropped them.
            let whileHeld = ContinuousClock.now - opened
            #expect(whileHeld < .seconds(Self.timeoutSeconds - 1), "the checks took \(whileHeld)")
            for (kind, socket) in held where kind != .slowBodyAnonymous {
                #expect(!socket.isClosedByPeer, "a \(kind.rawValue) connection was closed before its timeout")
            }

            // After their timeout (and a grace for a loaded machine) the server has hung up on every one.
            try await Task.sleep(until: opened + .seconds(Self.timeoutSeconds + 5))
            for kind in Kind.allCases {
                let open = held.filter { $0.0 == kind && !$0.1.isClosedByPeer }.count
                #expect(open == 0, "\(open) of 200 \(kind.rawValue) connections are still open \(Self.timeoutSeconds + 5) s later")
            }
            dribbling.store(false, ordering: .relaxed)
            await dribbler.value
            try await answersQuickly(server, "/healthz", key: nil, "/healthz after the attack")
            let metrics = try await server.request("GET", "/metrics", key: nil).text
            for reason in ["head_too_slow", "idle", "body_stalled", "answered_early"] {
                #expect(metrics.contains("datapilot_http_connections_closed_total{reason=\"\(reason)\"}"), "no \(reason) in /metrics")
            }
        }
    }

    /// Slow read: a client that asks for a large answer and takes none of it is cut after the body
    /// timeout instead of holding its connection (and the answer's buffers) for ever.
    @Test func aClientThatReadsNoneOfItsAnswerIsClosed() async throws {
        try await withServer(environment: Self.timeouts) { server in
            let size = 32 << 20
            #expect(try await server.request("POST", "/api/datasets", json: dataset("big")).status == 201)
            let upload = try await server.request(
                "POST", "/api/datasets/big/versions/upload?name=big-1",
                body: .bytes([UInt8](repeating: UInt8(ascii: "a"), count: size)))
            #expect(upload.status == 201, "\(upload.text)")
            let socket = try LoopbackSocket(port: server.port)
            #expect(
                socket.send(
                    "GET /api/datasets/big/versions/big-1/download HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(TestServer.adminKey)\r\n\r\n"
                ))
            // Read nothing for longer than the timeout, then take what is there.
            try await Task.sleep(for: .seconds(Self.timeoutSeconds + 4))
            let (bytes, closed) = socket.drain(within: 15)
            #expect(closed, "the server still holds a connection whose client read nothing for \(Self.timeoutSeconds + 4) s")
            #expect(bytes < size, "the whole answer (\(bytes) bytes) was delivered: the client was not cut")
        }
    }

    @Test func connectionsBeyondTheCapAreAnswered503WithRetryAfter() async throws {
        raiseOpenFileLimit()
        try await withServer(environment: ["DATAPILOT_MAX_CLIENT_CONNECTIONS": "50", "DATAPILOT_HEADER_TIMEOUT_SECONDS": "60"]) { server in
            var held = try (0..<50).map { _ in try LoopbackSocket(port: server.port) }
            try await Task.sleep(for: .milliseconds(500))
            let refused = try await server.request("GET", "/healthz", key: nil)
            #expect(refused.status == 503, "the 51st connection: \(refused.status) \(refused.text)")
            #expect(refused.header("Retry-After").flatMap(Int.init) != nil)
            #expect(refused.header("Content-Type") == "application/problem+json")
            #expect(refused.json["detail"]?.stringValue?.contains("connections") == true, "\(refused.text)")

            // A raw client over the cap is answered too, and then the connection is closed.
            let extra = try LoopbackSocket(port: server.port)
            extra.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answer = extra.receive(within: 5)
            #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer)")
            #expect(extra.isClosedByPeer)

            // Slots free up as held connections go.
            held.removeFirst(10)
            try await Task.sleep(for: .milliseconds(500))
            let served = try await server.request("GET", "/healthz", key: nil)
            #expect(served.status == 200, "\(served.status) \(served.text)")
            #expect(try await server.request("GET", "/metrics", key: nil).text.contains("datapilot_http_connections_refused_total 2"))
            withExtendedLifetime(held) {}
        }
    }

    @Test func theServerRaisesItsOpenFileLimitToTheHardLimit() async throws {
        // Started with a low soft limit (inherited from this process for the moment of the launch).
        var own = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &own)
        let saved = own
        own.rlim_cur = min(own.rlim_max, 2048)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &own)
        try await withServer { server in
            var restore = saved
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &restore)
            let limits = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/limits", encoding: .utf8)
            let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            #expect(fields.count >= 5 && fields[3] == fields[4], "\(line)")
            #expect(fields.count >= 5 && fields[4] == String(saved.rlim_max), "\(line)")
        }
    }

    @Test func theConnectionSettingsHaveDefaultsAndBounds() throws {
        let defaults = ServerConfiguration()
        #expect(defaults.connectionLimits.headerTimeout.nanoseconds == 10_000_000_000)
        #expect(defaults.connectionLimits.idleTimeout.nanoseconds == 60_000_000_000)
        #expect(defaults.connectionLimits.bodyTimeout.nanoseconds == 30_000_000_000)
        #expect(defaults.connectionLimits.maxConnections == 4096)
        var settings = ServerConfiguration()
        try settings.load(environment: ["DATAPILOT_BODY_TIMEOUT_SECONDS": "5", "DATAPILOT_MAX_CLIENT_CONNECTIONS": "50"])
        #expect(settings.connectionLimits.bodyTimeout.nanoseconds == 5_000_000_000)
        #expect(settings.connectionLimits.maxConnections == 50)
        for key in ["header-timeout-seconds", "idle-timeout-seconds", "body-timeout-seconds", "max-client-connections"] {
            #expect(throws: SettingError.self, "\(key)") { try settings.set(key, "0", from: "--\(key)") }
        }
    }

    /// The reconciler's listener (status, metrics, webhooks from the git host) has the same
    /// limits, at their defaults: a request head within 10 s.
    @Test func theReconcilersListenerClosesSlowConnectionsToo() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await withServer { server in
            let reconciler = try await TestReconciler(
                server: server,
                arguments: [
                    "--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1h",
                ])
            do {
                let idle = try LoopbackSocket(port: reconciler.port)
                let slowHeader = try LoopbackSocket(port: reconciler.port)
                slowHeader.send("GET /status?x=")
                let opened = ContinuousClock.now
                #expect(try await reconciler.status()["sources"] != nil)
                while ContinuousClock.now < opened + .seconds(13) {
                    slowHeader.send("x")
                    try await Task.sleep(for: .milliseconds(500))
                }
                #expect(idle.isClosedByPeer, "an idle connection to the reconciler is still open after 13 s")
                #expect(slowHeader.isClosedByPeer, "a dribbled request head to the reconciler is still open after 13 s")
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }
}

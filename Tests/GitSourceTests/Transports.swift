import Foundation
import TestSupport

/// The servers of the four transports (file:// needs none), and a server that never answers.
enum Transports {
    /// `git daemon` exporting every repository under `base`.
    static func gitDaemon(base: String) throws -> Peer { try GitDaemon.start(base: base) }

    /// Smart HTTP: `git http-backend` as CGI behind a small Python server that demands basic auth.
    static func smartHTTP(base: String, username: String, password: String) throws -> Peer {
        let script = base + "/../http-backend.py"
        try httpScript.write(toFile: script, atomically: true, encoding: .utf8)
        return try Peer("git http-backend behind python3", "python3", [script, base, username, password], environment: GitCLI.environment)
    }

    /// A private sshd on a free loopback port with its own host key, letting `authorizedKey` in as
    /// the current user (whose shell runs git-upload-pack).
    static func sshd(folder: String, authorizedKey: String) throws -> (server: Peer, hostPublicKey: String) {
        let hostKey = folder + "/ssh_host_ed25519_key"
        try Subprocess.check("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey])
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)  // privilege separation folder
        let port = try Loopback.freePort()
        let config = folder + "/sshd_config"
        try """
        Port \(port)
        ListenAddress 127.0.0.1
        HostKey \(hostKey)
        AuthorizedKeysFile \(authorizedKey)
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password
        UsePAM no
        StrictModes no
        PidFile \(folder)/sshd.pid
        LogLevel ERROR

        """.write(toFile: config, atomically: true, encoding: .utf8)
        // sshd closes every inherited descriptor, including the one Foundation's Process watches
        // to notice a child's exit; Foundation then waits for sshd as if it had exited and stops
        // reaping every other child of the test process. A wrapper shell keeps the descriptor.
        let server = try Peer(
            "sshd", "/bin/sh", ["-c", "/usr/sbin/sshd -D -e -f '\(config)'; exit 0"], environment: GitCLI.environment,
            ready: .listens(on: port), pidFile: folder + "/sshd.pid")
        return (server, try String(contentsOfFile: hostKey + ".pub", encoding: .utf8))
    }

    /// Accepts connections and never sends a byte.
    static func silent() throws -> Peer {
        try Peer.python(
            "a silent server",
            """
            import socket
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(16)
            print(s.getsockname()[1], flush=True)
            held = []
            while True:
                connection, _ = s.accept()
                held.append(connection)
            """)
    }

    static let httpScript = #"""
        import base64, http.server, os, subprocess, sys
        root, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

        def read_chunked(stream):
            body = b""
            while True:
                size = int(stream.readline().strip().split(b";")[0], 16)
                if size == 0:
                    stream.readline()
                    return body
                body += stream.read(size)
                stream.readline()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"
            def log_message(self, *args): pass
            def do_GET(self): self.cgi()
            def do_POST(self): self.cgi()
            def cgi(self):
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="git"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path, _, query = self.path.partition("?")
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = read_chunked(self.rfile)
                else:
                    body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                env = dict(os.environ, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=path,
                           QUERY_STRING=query, REQUEST_METHOD=self.command, REMOTE_USER=user, REMOTE_ADDR="127.0.0.1",
                           CONTENT_TYPE=self.headers.get("Content-Type", ""), CONTENT_LENGTH=str(len(body)),
                           GATEWAY_INTERFACE="CGI/1.1", SERVER_PROTOCOL="HTTP/1.0")
                if self.headers.get("Content-Encoding"):
                    env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
                if self.headers.get("Git-Protocol"):
                    env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
                out = subprocess.run(["/usr/lib/git-core/git-http-backend"], input=body, env=env, capture_output=True).stdout
                separator = b"\r\n\r\n" if b"\r\n\r\n" in out else b"\n\n"
                head, _, rest = out.partition(separator)
                status = 200
                headers = []
                for line in head.replace(b"\r\n", b"\n").split(b"\n"):
                    name, _, value = line.decode().partition(":")
                    if name.lower() == "status":
                        status = int(value.strip().split()[0])
                    elif name:
                        headers.append((name, value.strip()))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(rest)))
                self.end_headers()
                self.wfile.write(rest)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}

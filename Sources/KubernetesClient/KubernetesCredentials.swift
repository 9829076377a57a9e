import Curl
import Foundation

/// Where the Kubernetes API is and how to prove who we are to it: the in-cluster service
/// account, or a kubeconfig's current context.
public struct KubernetesCredentials: Sendable {
    public enum Token: Sendable {
        case none
        case value(String)
        /// Read again before every request: projected service-account tokens are rotated.
        case file(String)
    }

    /// `https://host:port`, without a trailing slash.
    public var server: String
    /// The namespace the credentials come with (the pod's own, or the context's), if any.
    public var namespace: String?
    public var tls: TLSOptions
    public var token: Token
    /// Where they came from, for messages (never the secret itself).
    public var origin: String

    public init(server: String, namespace: String?, tls: TLSOptions, token: Token, origin: String) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.namespace = namespace
        self.tls = tls
        self.token = token
        self.origin = origin
    }

    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The pod's service account: the API at KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT,
    /// its CA, token and namespace from the mounted service-account folder.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = serviceAccountDirectory
    ) throws(KubernetesError) -> KubernetesCredentials {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw .configuration(
                "no kubeconfig is set and this is not a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set): "
                    + "set kubeconfig (DATAPILOT_KUBECONFIG) to a kubeconfig file, or run the server in a pod with its service-account token mounted"
            )
        }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        let token = directory + "/token"
        let ca = directory + "/ca.crt"
        for file in [token, ca] where !FileManager.default.isReadableFile(atPath: file) {
            throw .configuration(
                "the service-account file \(file) cannot be read: mount the service-account token "
                    + "(the projected volume of deploy/base/server.yaml), or set kubeconfig")
        }
        let namespace = (try? String(contentsOfFile: directory + "/namespace", encoding: .utf8))?.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return KubernetesCredentials(
            server: "https://\(bracketed):\(port)", namespace: namespace?.isEmpty == false ? namespace : nil,
            tls: TLSOptions(certificateAuthority: .file(ca)), token: .file(token),
            origin: "the in-cluster service account (\(directory))")
    }

    /// The Authorization header's bearer token, if any (a token file is read now).
    func bearer() throws(KubernetesError) -> String? {
        switch token {
        case .none: return nil
        case .value(let value): return value
        case .file(let path):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .configuration("cannot read the token file \(path) of \(origin)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}

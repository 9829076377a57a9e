import Curl
import Foundation
import Manifests

extension KubernetesCredentials {
    /// The current context of a kubeconfig file (or `context`): its cluster's server and CA
    /// (`certificate-authority` or `-data`), its user's `token`, `tokenFile` or client
    /// certificate and key (files or `-data`), its namespace. Relative paths are relative to
    /// the file's folder, as kubectl reads them. Exec and auth-provider plugins are refused.
    public static func kubeconfig(_ path: String, context chosen: String? = nil) throws(KubernetesError) -> KubernetesCredentials {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("cannot read the kubeconfig file \(path) (setting kubeconfig)")
        }
        let config: JSONValue
        switch JSONText.parse(Array(data)) {
        case .success(let value): config = value
        case .failure(let error): throw .configuration("the kubeconfig \(path) is not valid YAML: \(error)")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func named(_ list: String, _ name: String, _ field: String) throws(KubernetesError) -> JSONValue {
            let entry = config[list]?.arrayValue?.first { $0["name"]?.stringValue == name }
            guard let body = entry?[field] else {
                throw .configuration("the kubeconfig \(path) has no \(list) entry named \"\(name)\"")
            }
            return body
        }
        guard let contextName = chosen ?? config["current-context"]?.stringValue, !contextName.isEmpty else {
            throw .configuration("the kubeconfig \(path) has no current-context: set one with `kubectl config use-context`")
        }
        let context = try named("contexts", contextName, "context")
        guard let clusterName = context["cluster"]?.stringValue, let userName = context["user"]?.stringValue else {
            throw .configuration("the context \"\(contextName)\" of the kubeconfig \(path) needs a cluster and a user")
        }
        let cluster = try named("clusters", clusterName, "cluster")
        let user = try named("users", userName, "user")
        guard let server = cluster["server"]?.stringValue, server.hasPrefix("https://") else {
            throw .configuration("the cluster \"\(clusterName)\" of the kubeconfig \(path) needs an https:// server")
        }
        if cluster["insecure-skip-tls-verify"]?.boolValue == true {
            throw .configuration(
                "the cluster \"\(clusterName)\" of the kubeconfig \(path) sets insecure-skip-tls-verify; "
                    + "DataPilot always checks the API's certificate: give its certificate-authority instead")
        }
        if user["exec"] != nil || user["auth-provider"] != nil {
            throw .configuration(
                "the user \"\(userName)\" of the kubeconfig \(path) uses an exec or auth-provider plugin, which DataPilot "
                    + "does not run: give a service-account token (token or tokenFile) or a client certificate and key")
        }
        func source(_ key: String, in section: JSONValue) throws(KubernetesError) -> TLSOptions.Source? {
            if let encoded = section[key + "-data"]?.stringValue {
                guard let bytes = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                    throw .configuration("\(key)-data in the kubeconfig \(path) is not base64")
                }
                return .pem(Array(bytes))
            }
            return section[key]?.stringValue.map { .file($0.hasPrefix("/") ? $0 : folder + "/" + $0) }
        }
        let tls = TLSOptions(
            certificateAuthority: try source("certificate-authority", in: cluster),
            clientCertificate: try source("client-certificate", in: user), clientKey: try source("client-key", in: user))
        if (tls.clientCertificate == nil) != (tls.clientKey == nil) {
            throw .configuration("the user \"\(userName)\" of the kubeconfig \(path) needs both a client certificate and its key")
        }
        let token: Token
        if let value = user["token"]?.stringValue, !value.isEmpty {
            token = .value(value)
        } else if let file = user["tokenFile"]?.stringValue, !file.isEmpty {
            token = .file(file.hasPrefix("/") ? file : folder + "/" + file)
        } else {
            token = .none
        }
        if case .none = token, tls.clientCertificate == nil {
            throw .configuration("the user \"\(userName)\" of the kubeconfig \(path) has no token, tokenFile or client certificate")
        }
        return KubernetesCredentials(
            server: server, namespace: context["namespace"]?.stringValue, tls: tls, token: token,
            origin: "the kubeconfig \(path) (context \(contextName), user \(userName))")
    }
}

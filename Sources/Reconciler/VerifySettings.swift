import Foundation
import Manifests
import Settings

extension Secrets {
    /// A source's `verify:` setting:
    ///
    ///     verify: {provider: gpg, keys-file: /run/secrets/git-signers/keys.asc}
    ///     verify: {mode: head, provider: ssh, keys-file: [/run/secrets/a/allowed_signers, ...]}
    ///
    /// The keys come from files, like every secret (never inline); for `gpg` public keys, armored
    /// or binary, for `ssh` lines of an allowed_signers file. `--check` only collects the paths.
    /// Each mistake names the file, the setting and the source.
    func verification(_ item: JSONValue?, at where_: String, source name: String) throws -> CommitVerification? {
        guard let item else { return nil }
        func fail(_ field: String?, _ text: String) -> SettingError {
            SettingError("\(file): \(where_)\(field.map { "." + $0 } ?? "") (source \"\(name)\"): \(text)")
        }
        guard let members = item.objectValue else {
            throw fail(nil, "expected a mapping such as {provider: gpg, keys-file: /run/secrets/signers.asc}")
        }
        let known = ["mode", "provider", "keys-file"]
        if item["keys"] != nil {
            throw fail("keys", "put the trusted keys in a file (keys-file), not in the sources file")
        }
        if let unknown = members.first(where: { !known.contains($0.key) }) {
            throw fail(nil, "unknown setting \"\(unknown.key)\"\(Suggest.hint(for: unknown.key, in: known))")
        }
        let modeText = item["mode"]?.stringValue ?? "head"
        guard let mode = CommitVerification.Mode(rawValue: modeText) else {
            throw fail("mode", "\"\(modeText)\" is not one of \(Self.words(CommitVerification.Mode.allCases))")
        }
        guard let providerText = item["provider"]?.stringValue else {
            throw fail("provider", "is required: one of \(Self.words(CommitVerification.Provider.allCases))")
        }
        guard let provider = CommitVerification.Provider(rawValue: providerText) else {
            throw fail("provider", "\"\(providerText)\" is not one of \(Self.words(CommitVerification.Provider.allCases))")
        }
        let paths: [String]
        switch item["keys-file"] {
        case nil:
            throw fail(
                "keys-file", "is required: the \(provider == .gpg ? "public keys (gpg --export)" : "allowed_signers file") to trust")
        case .some(let value):
            let list = value.arrayValue ?? [value]
            let texts = list.compactMap(\.stringValue).filter { !$0.isEmpty }
            guard !texts.isEmpty, texts.count == list.count else { throw fail("keys-file", "expected a path or a list of paths") }
            paths = texts
        }
        let origin = "\(where_).keys-file (\(paths.joined(separator: ", ")))"
        guard readSecrets else {
            referenced += paths.map { "\(where_).keys-file: \($0)" }
            return CommitVerification(mode: mode, provider: provider, keys: [], keysOrigin: origin)
        }
        guard ToolRun.locate(provider.tool) != nil else {
            throw fail(
                "provider", "\(provider.rawValue) signatures are checked with \(provider.tool), which is not installed (not on PATH)")
        }
        var keys: [UInt8] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { throw fail("keys-file", "cannot read \(path)") }
            do throws(TrustedKeys.Problem) {
                switch provider {
                case .gpg: keys += try TrustedKeys.keyring(Array(data))
                case .ssh: keys += Array(try TrustedKeys.allowedSigners(Array(data)).utf8)
                }
            } catch {
                throw fail("keys-file", "\(path)\(error.line.map { ":\($0)" } ?? ""): \(error.message)")
            }
        }
        return CommitVerification(mode: mode, provider: provider, keys: keys, keysOrigin: origin)
    }

    static func words<T: RawRepresentable>(_ cases: [T]) -> String where T.RawValue == String {
        cases.map(\.rawValue).joined(separator: ", ")
    }
}

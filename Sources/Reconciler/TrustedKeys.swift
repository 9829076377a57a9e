import Foundation

/// The trusted keys of a `verify:` setting, checked when the sources file is read: OpenPGP public
/// keys (binary, or armored blocks, which are decoded here since gpgv reads only binary keyrings)
/// and ssh-keygen's allowed_signers lines. A private key is refused: it has no business there.
enum TrustedKeys {
    /// Why a key file was refused, with the line where there is one.
    struct Problem: Error {
        var line: Int?
        var message: String
    }

    /// The binary OpenPGP keyring `data` holds.
    static func keyring(_ data: [UInt8]) throws(Problem) -> [UInt8] {
        if let first = data.first, first & 0x80 != 0 {
            try checkFirstPacket(data)
            return data
        }
        let text = String(decoding: data, as: UTF8.self)
        if text.contains("PRIVATE KEY BLOCK") {
            throw Problem(message: "holds a private key; give only public keys (gpg --armor --export KEYID)")
        }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var keyring: [UInt8] = []
        var block: [String]?
        for (index, line) in lines.enumerated() {
            if line == "-----BEGIN PGP PUBLIC KEY BLOCK-----" {
                block = []
            } else if line == "-----END PGP PUBLIC KEY BLOCK-----", let body = block {
                // Armor headers (`Comment: ...`) and the checksum line (`=XXXX`) are not key data.
                let base64 = body.filter { !$0.contains(":") && !($0.hasPrefix("=") && $0.count == 5) }.joined()
                guard let decoded = Data(base64Encoded: base64), !decoded.isEmpty else {
                    throw Problem(line: index + 1, message: "the armored key block above this line is not valid base64")
                }
                do throws(Problem) { try checkFirstPacket(Array(decoded)) } catch { throw Problem(line: index + 1, message: error.message) }
                keyring += decoded
                block = nil
            } else if block != nil {
                block?.append(line)
            }
        }
        guard !keyring.isEmpty else {
            throw Problem(message: "holds no OpenPGP public key (armored from gpg --armor --export, or binary from gpg --export)")
        }
        return keyring
    }

    /// The first packet must be a public key (tag 6), not a secret key (5) or anything else.
    static func checkFirstPacket(_ data: [UInt8]) throws(Problem) {
        guard let first = data.first, first & 0x80 != 0 else {
            throw Problem(message: "is not an OpenPGP key (armored or binary)")
        }
        let tag = first & 0x40 != 0 ? first & 0x3F : (first >> 2) & 0x0F
        if tag == 5 || tag == 7 { throw Problem(message: "holds a private key; give only public keys (gpg --export KEYID)") }
        guard tag == 6 else { throw Problem(message: "does not start with an OpenPGP public key (packet tag \(tag))") }
    }

    /// The allowed_signers lines of `data` (`principals [options] key-type key [comment]`, see
    /// ssh-keygen(1)), ending in a newline.
    static func allowedSigners(_ data: [UInt8]) throws(Problem) -> String {
        guard !data.contains(0), let text = String(validating: data, as: UTF8.self) else {
            throw Problem(message: "is not UTF-8 text in the allowed_signers format")
        }
        if text.contains("PRIVATE KEY") {
            throw Problem(message: "holds a private key; give the allowed_signers lines of public keys")
        }
        var signers = 0
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            if ["ssh-", "ecdsa-", "sk-"].contains(where: { first.hasPrefix($0) }) {
                throw Problem(
                    line: index + 1,
                    message: "starts with a key type; put who signs first (`ada@example.com \(first) AAAA...`), the allowed_signers format")
            }
            guard fields.count >= 3 else {
                throw Problem(line: index + 1, message: "expected `principals [options] key-type key`, the allowed_signers format")
            }
            signers += 1
        }
        guard signers > 0 else { throw Problem(message: "lists no allowed signer (`ada@example.com ssh-ed25519 AAAA...`)") }
        return text.hasSuffix("\n") ? text : text + "\n"
    }
}

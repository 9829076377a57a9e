import Crypto

/// A UUID made from a name (the first 16 bytes of its SHA-256, marked version 5 / RFC 4122
/// variant): the same name always gives the same run id, so every event of one evaluation or
/// sync names one OpenLineage run.
enum NameUUID {
    static func make(_ name: String) -> String {
        var bytes = Array(SHA256.hash(data: Array(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20),
        ]
        return parts.map(String.init).joined(separator: "-")
    }
}

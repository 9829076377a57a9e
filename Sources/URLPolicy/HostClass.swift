import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What kind of host a URL names: nil for a public one, else a description of the special one.
enum HostClass {
    static let names: Set<String> = [
        "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "metadata", "metadata.google.internal",
        "instance-data", "instance-data.ec2.internal", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
    ]
    static let suffixes = [
        "localhost", "local", "internal", "localdomain", "svc", "cluster.local", "home.arpa", "in-addr.arpa", "ip6.arpa",
    ]

    static func special(_ host: String) -> String? {
        if host.hasPrefix("[") {
            guard let bytes = ipv6(host) else { return "an unparseable IPv6 address" }
            return ipv6Class(bytes)
        }
        if let address = ipv4(host) { return ipv4Class(address) }
        if names.contains(host) { return "a local name" }
        if suffixes.contains(where: { host.hasSuffix("." + $0) }) { return "a local name" }
        if !host.contains(".") { return "a single-label name (resolved on the local network)" }
        // All-numeric labels a resolver may still read as an address (e.g. 127.0.0.1.nip.io is a name, but 1.2.3 is not a name).
        if host.split(separator: ".").allSatisfy({ $0.allSatisfy(\.isNumber) }) { return "a numeric host that is not a plain address" }
        return nil
    }

    /// Addresses in one spelling (127.1 and 0x7f.0.0.1 are 127.0.0.1; [::1] and [0::1] are [::1]).
    static func canonical(_ host: String) -> String {
        if let v4 = ipv4(host) {
            return "\(v4 >> 24).\((v4 >> 16) & 0xff).\((v4 >> 8) & 0xff).\(v4 & 0xff)"
        }
        if host.hasPrefix("["), let bytes = ipv6(host) {
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return host }
            return "[" + String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) + "]"
        }
        return host
    }

    /// An IPv4 literal as C resolvers read it (inet_aton: 127.1, 0x7f.1, 2130706433, 0177.0.0.1).
    static func ipv4(_ host: String) -> UInt32? {
        guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X" }) else { return nil }
        var address = in_addr()
        guard inet_aton(host, &address) != 0 else { return nil }
        return UInt32(bigEndian: address.s_addr)
    }

    /// The 16 bytes of `[v6]` (a zone `%25eth0` is dropped).
    static func ipv6(_ bracketed: String) -> [UInt8]? {
        guard bracketed.hasPrefix("["), bracketed.hasSuffix("]") else { return nil }
        var inner = String(bracketed.dropFirst().dropLast())
        if let zone = inner.firstIndex(of: "%") { inner = String(inner[..<zone]) }
        var address = in6_addr()
        guard inet_pton(AF_INET6, inner, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    static func ipv4Class(_ a: UInt32) -> String? {
        func within(_ base: UInt32, _ bits: UInt32) -> Bool { bits == 0 || (a >> (32 - bits)) == (base >> (32 - bits)) }
        if within(0x0000_0000, 8) { return "an unspecified address" }
        if within(0x7f00_0000, 8) { return "a loopback address" }
        if a == 0xa9fe_a9fe || a == 0x6464_64c8 { return "a cloud metadata address" }
        if within(0xa9fe_0000, 16) { return "a link-local address" }
        if within(0x0a00_0000, 8) || within(0xac10_0000, 12) || within(0xc0a8_0000, 16) { return "a private address" }
        if within(0x6440_0000, 10) { return "a shared (carrier-grade NAT) address" }
        if within(0xc000_0000, 24) || within(0xc000_0200, 24) || within(0xc633_6400, 24) || within(0xcb00_7100, 24)
            || within(0xc612_0000, 15)
        {
            return "a reserved address"
        }
        if within(0xe000_0000, 4) { return "a multicast address" }
        if within(0xf000_0000, 4) { return "a reserved address" }
        return nil
    }

    static func ipv6Class(_ b: [UInt8]) -> String? {
        let zeroPrefix = b[0..<10].allSatisfy { $0 == 0 }
        let embedded = UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15])
        if b.allSatisfy({ $0 == 0 }) { return "an unspecified address" }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return "a loopback address" }
        // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address.
        if zeroPrefix && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0)) {
            return ipv4Class(embedded).map { "\($0) (IPv4 in IPv6)" }
        }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b { return ipv4Class(embedded).map { "\($0) (NAT64)" } }
        if b[0] == 0x20 && b[1] == 0x02 {
            let v4 = UInt32(b[2]) << 24 | UInt32(b[3]) << 16 | UInt32(b[4]) << 8 | UInt32(b[5])
            if let inner = ipv4Class(v4) { return "\(inner) (6to4)" }
        }
        if b[0] == 0xfe && (b[1] & 0xc0) == 0x80 { return "a link-local address" }
        if b[0] == 0xfe && (b[1] & 0xc0) == 0xc0 { return "a site-local address" }
        if (b[0] & 0xfe) == 0xfc { return "a private (unique local) address" }
        if b[0] == 0xff { return "a multicast address" }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return "a documentation address" }
        return nil
    }
}

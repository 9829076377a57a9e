/// String formats of the manifest model. Each has the regular expression written into the
/// generated JSON Schemas and CRDs, and a hand-written check the validator runs; a test keeps
/// the two in agreement. The expressions mean the same in ECMA-262 (JSON Schema) and RE2
/// (Kubernetes): no `\s`, `\d` or `.`, whose meaning differs between engines.
public enum StringFormat: String, Sendable, CaseIterable {
    case dnsSubdomain, labelKey, annotationKey, labelValue, sha256Hex, commitSHA, imageDigest, duration, percent, url,
        relativePath, nonBlank

    public var pattern: String {
        let label = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
        let anyCaseLabel = "[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?"
        let qualified = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
        let notSpace = "[^\\t\\n\\x0B\\f\\r ]"
        switch self {
        case .dnsSubdomain: return "^\(label)(\\.\(label))*$"
        case .labelKey: return "^(\(label)(\\.\(label))*/)?\(qualified)$"
        case .annotationKey: return "^(\(anyCaseLabel)(\\.\(anyCaseLabel))*/)?\(qualified)$"
        case .labelValue: return "^(\(qualified))?$"
        case .sha256Hex: return "^[a-f0-9]{64}$"
        case .commitSHA: return "^[a-f0-9]{40}$"
        case .imageDigest: return "^sha256:[a-f0-9]{64}$"
        case .duration: return "^[0-9]+(s|m|h|d)$"
        case .percent: return "^0*(100(\\.0+)?|[0-9]{1,2}(\\.[0-9]+)?)%$"
        case .url: return "^https?://\(notSpace)+$"
        case .relativePath: return "^[^/\\t\\n\\x0B\\f\\r ][^\\n]*$"
        case .nonBlank: return notSpace
        }
    }

    /// A second expression a value must also match, for lengths the first cannot bound: a
    /// label key's prefix is at most 253 characters and its name at most 63.
    public var lengthPattern: String? {
        switch self {
        case .labelKey, .annotationKey: return "^([^/]{1,253}/)?[^/]{1,63}$"
        default: return nil
        }
    }

    public var maxLength: Int? {
        switch self {
        case .dnsSubdomain: return 253
        case .labelKey, .annotationKey: return 317
        case .labelValue: return 63
        case .url: return 2048
        case .relativePath: return 1024
        default: return nil
        }
    }

    /// What a valid value looks like, for error messages.
    public var expectation: String {
        switch self {
        case .dnsSubdomain:
            return
                "a DNS-1123 name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters"
        case .labelKey:
            return
                "a label key: an optional DNS-1123 prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        case .annotationKey:
            return
                "an annotation key: an optional DNS-1123 prefix (any case) and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        case .labelValue:
            return "a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        case .sha256Hex: return "a sha256 digest: 64 lowercase hexadecimal digits"
        case .commitSHA: return "a full git commit id: 40 lowercase hexadecimal digits"
        case .imageDigest: return "an image digest: \"sha256:\" and 64 lowercase hexadecimal digits"
        case .duration: return "a duration: a whole number followed by s, m, h or d (e.g. 36h)"
        case .percent: return "a percentage from 0% to 100%, such as \"0.5%\""
        case .url: return "an http:// or https:// URL without spaces"
        case .relativePath: return "a relative path inside the repository"
        case .nonBlank: return "a non-empty string"
        }
    }

    /// Whether `value` has the format. Lengths count Unicode scalars, as JSON Schema's and
    /// Kubernetes' maxLength do.
    public func accepts(_ value: String) -> Bool {
        if let maxLength, value.unicodeScalars.count > maxLength { return false }
        let bytes = Array(value.utf8)
        switch self {
        case .dnsSubdomain: return Self.isSubdomain(bytes[...])
        case .labelKey:
            if let slash = bytes.firstIndex(of: UInt8(ascii: "/")) {
                return slash > 0 && Self.isSubdomain(bytes[..<slash]) && Self.isQualifiedName(bytes[(slash + 1)...])
            }
            return Self.isQualifiedName(bytes[...])
        case .annotationKey:
            // Kubernetes checks annotation keys in lower case.
            return Self.labelKey.accepts(String(decoding: bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self))
        case .labelValue: return bytes.isEmpty || Self.isQualifiedName(bytes[...])
        case .sha256Hex: return bytes.count == 64 && bytes.allSatisfy(Self.isLowerHex)
        case .commitSHA: return bytes.count == 40 && bytes.allSatisfy(Self.isLowerHex)
        case .imageDigest:
            return bytes.count == 71 && value.hasPrefix("sha256:") && bytes[7...].allSatisfy(Self.isLowerHex)
        case .duration:
            guard bytes.count >= 2, let unit = bytes.last, "smhd".utf8.contains(unit) else { return false }
            return bytes.dropLast().allSatisfy(Self.isDigit)
        case .percent:
            guard let (whole, fraction) = Self.percentParts(bytes) else { return false }
            let significant = whole.drop { $0 == UInt8(ascii: "0") }
            if significant.count <= 2 { return true }
            return significant.elementsEqual("100".utf8) && fraction.allSatisfy { $0 == UInt8(ascii: "0") }
        case .url:
            let rest: ArraySlice<UInt8>
            if bytes.starts(with: "https://".utf8) {
                rest = bytes[8...]
            } else if bytes.starts(with: "http://".utf8) {
                rest = bytes[7...]
            } else {
                return false
            }
            return !rest.isEmpty && !rest.contains(where: Self.isSpace)
        case .relativePath:
            guard let first = bytes.first, first != UInt8(ascii: "/"), !Self.isSpace(first) else { return false }
            return !bytes.contains(UInt8(ascii: "\n"))
        case .nonBlank: return bytes.contains(where: { !Self.isSpace($0) })
        }
    }

    /// The digits before and after the point of a percentage written as digits, an optional
    /// point and digits, and "%"; nil when it is not written so.
    static func percentParts(_ bytes: [UInt8]) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        guard bytes.last == UInt8(ascii: "%") else { return nil }
        let number = bytes.dropLast().split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard number.count == 1 || number.count == 2, number.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isDigit) }) else { return nil }
        return (number[0], number.count == 2 ? number[1] : [])
    }

    /// Whether `value` is written as a percentage, whatever its size.
    public static func looksLikePercent(_ value: String) -> Bool { percentParts(Array(value.utf8)) != nil }

    static func isSubdomain(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { part in
            guard let first = part.first, let last = part.last else { return false }
            return isLowerAlnum(first) && isLowerAlnum(last)
                && part.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
        }
    }

    static func isQualifiedName(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        return isAlnum(first) && isAlnum(last)
            && bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    static func isLowerHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 97 && c <= 102) }
    static func isLowerAlnum(_ c: UInt8) -> Bool { isDigit(c) || (c >= 97 && c <= 122) }
    static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (c >= 65 && c <= 90) }
    static func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }
}

// Measures the regular expression engines a regex check could use, on the benchmark's patterns:
// the quality engine's byte DFA, NSRegularExpression (ICU), Swift Regex, POSIX regexec (glibc).
//
//   swiftc -O -parse-as-library -o /tmp/regex_engines bench/quality/regex_engines.swift \
//       Sources/QualityEngine/Regex/ByteSet.swift Sources/QualityEngine/Regex/RegexSyntax.swift \
//       Sources/QualityEngine/Regex/ByteDFA.swift && /tmp/regex_engines
import Foundation
#if canImport(Glibc)
import Glibc
#endif

@main
struct RegexEngines {
    static func main() throws {
        let count = 1_000_000
        let ids = (0..<count).map { $0 % 500 == 0 ? "X\(10_000_000 + $0)" : "C\(10_000_000 + $0)" }
        let first = ["ana", "ben", "chen", "dara", "eli"], domains = ["example.org", "corp.example.io"]
        let emails = (0..<count).map { $0 % 200 == 0 ? "bob at example.org" : "\(first[$0 % 5]).x\($0 % 97)@\(domains[$0 % 2])" }
        for (pattern, values) in [("^C[0-9]{8}$", ids), ("^[^@ ]+@[^@ ]+\\.[a-z]+$", emails)] {
            print("pattern \(pattern), \(count) values")
            let bytes = values.map { Array($0.utf8) }
            let dfa = try ByteDFA(pattern: pattern)
            time("byte DFA") { bytes.reduce(0) { n, b in n + (b.withUnsafeBufferPointer { dfa.matches($0.baseAddress!, $0.count) } ? 1 : 0) } }
            let icu = try NSRegularExpression(pattern: pattern)
            time("NSRegularExpression") { values.reduce(0) { n, v in n + (icu.firstMatch(in: v, range: NSRange(location: 0, length: v.utf16.count)) != nil ? 1 : 0) } }
            let swiftRegex = try Regex(pattern)
            time("Swift Regex") { values.reduce(0) { n, v in n + ((try? swiftRegex.firstMatch(in: v)) != nil ? 1 : 0) } }
            var posix = regex_t()
            guard regcomp(&posix, pattern, REG_EXTENDED | REG_NOSUB) == 0 else { print("regcomp refused it"); continue }
            time("POSIX regexec") { values.reduce(0) { n, v in n + (regexec(&posix, v, 0, nil, 0) == 0 ? 1 : 0) } }
            regfree(&posix)
        }
    }

    static func time(_ name: String, _ body: () -> Int) {
        let start = DispatchTime.now().uptimeNanoseconds
        let matched = body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(String(format: "  %-20@ %8.1f ns/value  (%d matched)", name as NSString, seconds * 1e9 / 1_000_000, matched))
    }
}

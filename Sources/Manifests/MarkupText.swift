/// Text for HTML and XML, in content and in quoted attribute values: `&`, `<`, `>`, `"` and `'`
/// as character references, and the characters neither may carry (controls other than tab, new
/// line and carriage return, U+FFFE, U+FFFF) as U+FFFD. The drift report, the web UI and JUnit
/// reports write every interpolated value through it.
public enum MarkupText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

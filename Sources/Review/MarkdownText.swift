/// Small helpers for markdown meant for GitHub and GitLab comments.
enum MarkdownText {
    /// Text safe inside a table cell or a line of prose: no pipes, no line breaks, no HTML.
    static func cell(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "|": out += "\\|"
            case "\n", "\r": out += " "
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "`": out += "'"
            default: out.append(character)
            }
        }
        return out
    }

    /// A fenced code block whose fence is longer than any run of backticks inside.
    static func fence(_ text: String, language: String) -> String {
        var longest = 0, run = 0
        for character in text {
            if character == "`" {
                run += 1
                longest = max(longest, run)
            } else {
                run = 0
            }
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return "\(fence)\(language)\n\(text)\(text.hasSuffix("\n") || text.isEmpty ? "" : "\n")\(fence)\n"
    }

    /// At most `limit` UTF-8 bytes of `text`, cut at a line end, saying how many lines were left out.
    static func clipped(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var kept = ""
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let line = lines.first, kept.utf8.count + line.utf8.count + 1 <= limit {
            kept += line + "\n"
            lines = lines.dropFirst()
        }
        let left = lines.filter { !$0.isEmpty }.count
        return kept + "... (\(left) more line\(left == 1 ? "" : "s") not shown)\n"
    }
}

/// A unified diff of two texts (as `diff -u` prints it), from a longest common subsequence of
/// their lines. Objects are small enough for the quadratic table.
public enum UnifiedDiff {
    public enum Line: Equatable, Sendable {
        case same(String)
        case removed(String)
        case added(String)
    }

    public static func render(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let lines = diff(split(old), split(new))
        guard lines.contains(where: { if case .same = $0 { return false } else { return true } }) else { return "" }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        // Hunks: runs of changes with up to `context` unchanged lines around them.
        var index = 0
        var oldLine = 1, newLine = 1
        var positions: [(old: Int, new: Int)] = []
        for line in lines {
            positions.append((oldLine, newLine))
            switch line {
            case .same:
                oldLine += 1
                newLine += 1
            case .removed: oldLine += 1
            case .added: newLine += 1
            }
        }
        let changed = lines.indices.filter { if case .same = lines[$0] { return false } else { return true } }
        while index < changed.count {
            let start = max(0, changed[index] - context)
            var end = min(lines.count - 1, changed[index] + context)
            index += 1
            while index < changed.count, changed[index] - context <= end + 1 {
                end = min(lines.count - 1, changed[index] + context)
                index += 1
            }
            let hunk = lines[start...end]
            let oldCount = hunk.filter { if case .added = $0 { return false } else { return true } }.count
            let newCount = hunk.filter { if case .removed = $0 { return false } else { return true } }.count
            let oldStart = oldCount == 0 ? positions[start].old - 1 : positions[start].old
            let newStart = newCount == 0 ? positions[start].new - 1 : positions[start].new
            out += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
            for line in hunk {
                switch line {
                case .same(let text): out += " \(text)\n"
                case .removed(let text): out += "-\(text)\n"
                case .added(let text): out += "+\(text)\n"
                }
            }
        }
        return out
    }

    static func split(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastIfEmpty()
    }

    public static func diff(_ a: [String], _ b: [String]) -> [Line] {
        let n = a.count, m = b.count
        var table = [[Int32]](repeating: [Int32](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var out: [Line] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                out.append(.same(a[i]))
                i += 1
                j += 1
            } else if j < m, i == n || table[i][j + 1] >= table[i + 1][j] {
                out.append(.added(b[j]))
                j += 1
            } else {
                out.append(.removed(a[i]))
                i += 1
            }
        }
        // Removals before additions within a run of changes, as diff -u prints them.
        var ordered: [Line] = []
        var removed: [Line] = [], added: [Line] = []
        for line in out {
            switch line {
            case .same:
                ordered += removed + added
                removed = []
                added = []
                ordered.append(line)
            case .removed: removed.append(line)
            case .added: added.append(line)
            }
        }
        return ordered + removed + added
    }
}

extension Array where Element == String {
    func dropLastIfEmpty() -> [String] {
        last == "" ? Array(dropLast()) : self
    }
}

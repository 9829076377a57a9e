/// A plain text table, kubectl-style: upper-case headers, columns padded with three spaces,
/// cells clipped so that lines fit the terminal's width.
struct Table {
    var header: [String]
    var rows: [[String]]

    func render(width: Int?) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        if let width {
            // Shrink the widest column until the line fits (never below 8 characters).
            while widths.reduce(0, +) + 3 * (widths.count - 1) > width,
                let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > 8
            {
                widths[widest] -= 1
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let clipped = cell.count > widths[i] ? String(cell.prefix(max(1, widths[i] - 1))) + "…" : cell
                return i == cells.count - 1 ? clipped : clipped.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "   ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

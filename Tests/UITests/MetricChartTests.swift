import Testing

@testable import UI

/// The metric charts' SVG: points in step order inside the plot, odd input handled, text escaped.
@Suite struct MetricChartTests {
    func coordinates(_ svg: String) -> [(Double, Double)] {
        guard let start = svg.range(of: "points=\""), let end = svg[start.upperBound...].firstIndex(of: "\"") else { return [] }
        return svg[start.upperBound..<end].split(separator: " ").map {
            let pair = $0.split(separator: ",")
            return (Double(pair[0])!, Double(pair[1])!)
        }
    }

    @Test func pointsAreDrawnInStepOrderWithinThePlot() {
        let svg = MetricChart.svg(key: "loss", points: [(3, 0.2), (1, 0.9), (2, 0.5)], index: 0).text
        let drawn = coordinates(svg)
        #expect(drawn.count == 3)
        #expect(drawn.map(\.0) == drawn.map(\.0).sorted(), "x grows with the step: \(drawn)")
        #expect(drawn[0].1 < drawn[2].1, "the highest value is drawn highest (smallest y): \(drawn)")
        for (x, y) in drawn {
            #expect(x >= MetricChart.left && x <= MetricChart.width - MetricChart.right)
            #expect(y >= MetricChart.top && y <= MetricChart.height - MetricChart.bottom)
        }
        #expect(svg.contains("3 points from step 1 to 3: first 0.9, last 0.2, lowest 0.2, highest 0.9"), "\(svg)")
        #expect(!svg.contains("style="))
    }

    /// Bad input: nothing finite draws nothing; one point or one value stays inside the plot.
    static let odd: [([Point], Int)] = [
        ([], 0), ([Point(1, .nan), Point(2, .infinity)], 0), ([Point(5, 1)], 1), ([Point(1, 2), Point(2, 2)], 2),
        ([Point(.nan, 1), Point(1, 1.5), Point(2, -.infinity)], 1),
    ]

    struct Point: Sendable, CustomTestStringConvertible {
        var step: Double, value: Double
        init(_ step: Double, _ value: Double) { (self.step, self.value) = (step, value) }
        var testDescription: String { "(\(step), \(value))" }
    }

    @Test(arguments: odd)
    func oddInputIsHandled(points: [Point], drawn: Int) {
        let svg = MetricChart.svg(key: "k", points: points.map { (step: $0.step, value: $0.value) }, index: 1).text
        let found = coordinates(svg)
        #expect(found.count == drawn, "\(svg)")
        #expect(found.allSatisfy { $0.0.isFinite && $0.1.isFinite && $0.1 >= MetricChart.top })
        #expect(!svg.contains("nan") && !svg.contains("inf"), "\(svg)")
    }

    @Test func theKeyIsText() {
        let svg = MetricChart.svg(key: "<script>x</script>", points: [(1, 1), (2, 2)], index: 2).text
        #expect(svg.contains("&lt;script&gt;x&lt;/script&gt; over steps") && !svg.contains("<script>"))
    }
}

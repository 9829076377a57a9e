import APIModel
import Foundation
import Manifests

/// A run's metric over its steps as SVG drawn on the server (no script, no inline style): a line
/// through the points in step order, the first and last step and the lowest and highest value on
/// the axes, and a title and description that say the same in words for screen readers.
enum MetricChart {
    /// The points a chart reads (one page of the metric's history).
    static let maxPoints = 1000
    static let width = 560.0, height = 200.0
    static let left = 72.0, right = 16.0, top = 12.0, bottom = 32.0

    /// `points` as (step, value); values that are not finite are left out.
    static func svg(key: String, points given: [(step: Double, value: Double)], index: Int) -> HTML {
        let points = given.filter { $0.step.isFinite && $0.value.isFinite }.sorted { $0.step < $1.step }
        guard let first = points.first, let last = points.last else { return "" }
        let low = points.map(\.value).min()!, high = points.map(\.value).max()!
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ step: Double) -> Double {
            last.step == first.step ? left + plotWidth / 2 : left + (step - first.step) / (last.step - first.step) * plotWidth
        }
        func y(_ value: Double) -> Double { high == low ? top + plotHeight / 2 : top + (high - value) / (high - low) * plotHeight }
        let line = points.map { "\(number(x($0.step))),\(number(y($0.value)))" }.joined(separator: " ")
        let dots: [HTML] =
            points.count <= 60 ? points.map { "<circle cx=\"\(number(x($0.step)))\" cy=\"\(number(y($0.value)))\" r=\"3\"></circle>" } : []
        let id = "chart-\(index)"
        let description =
            "\(points.count) point\(points.count == 1 ? "" : "s") from step \(label(first.step)) to \(label(last.step)): "
            + "first \(label(first.value)), last \(label(last.value)), lowest \(label(low)), highest \(label(high))"
        let bottomEdge = number(top + plotHeight), rightEdge = number(left + plotWidth)
        return """
            <figure class="chart">
            <svg class="chart" role="img" aria-labelledby="\(id)-title \(id)-desc" viewBox="0 0 \(number(width)) \(number(height))" \
            width="\(number(width))" height="\(number(height))" xmlns="http://www.w3.org/2000/svg">
            <title id="\(id)-title">\(key) over steps</title><desc id="\(id)-desc">\(description)</desc>
            <line x1="\(number(left))" y1="\(number(top))" x2="\(number(left))" y2="\(bottomEdge)" stroke="#4a5566"></line>
            <line x1="\(number(left))" y1="\(bottomEdge)" x2="\(rightEdge)" y2="\(bottomEdge)" stroke="#4a5566"></line>
            <text x="\(number(left - 6))" y="\(number(top + 4))" text-anchor="end" font-size="11" fill="#1d2430">\(label(high))</text>
            <text x="\(number(left - 6))" y="\(bottomEdge)" text-anchor="end" font-size="11" fill="#1d2430">\(label(low))</text>
            <text x="\(number(left))" y="\(number(height - 12))" text-anchor="start" font-size="11" fill="#1d2430">step \(label(first.step))</text>
            <text x="\(rightEdge)" y="\(number(height - 12))" text-anchor="end" font-size="11" fill="#1d2430">step \(label(last.step))</text>
            <polyline class="series" points="\(line)" fill="none" stroke="#0b5cad" stroke-width="2"></polyline>
            <g fill="#0b5cad">\(dots)</g>
            </svg>
            <figcaption><code>\(key)</code>: \(description)</figcaption>
            </figure>
            """
    }

    /// A coordinate with two decimals.
    static func number(_ value: Double) -> String { String(format: "%.2f", value) }

    /// A value as people read it: whole numbers without a fraction, others to four significant digits.
    static func label(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.4g", value)
    }
}

extension UIRoutes {
    /// A chart of each of the run's metrics (the first eight keys), from each one's history.
    func metricCharts(_ session: UISessions.Session, run base: String, metrics: [JSONValue]) async throws -> HTML {
        var charts: [HTML] = []
        for (index, metric) in metrics.prefix(8).enumerated() {
            guard let key = metric["key"]?.stringValue else { continue }
            let history = try await gateway.get(
                base + "/metrics/" + APIPath.segment(key), query: [("page_size", String(MetricChart.maxPoints))], token: session.token)
            let points = (history["items"]?.arrayValue ?? []).compactMap { point -> (step: Double, value: Double)? in
                guard let value = point["value"]?.numberValue else { return nil }
                return (point["step"]?.numberValue ?? 0, value)
            }
            charts.append(MetricChart.svg(key: key, points: points, index: index))
        }
        return charts.isEmpty ? "" : "<div class=\"charts\">\(charts)</div>"
    }
}

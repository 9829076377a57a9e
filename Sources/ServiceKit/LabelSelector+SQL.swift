import Hummingbird
import Manifests

extension LabelSelector {
    /// SQL conditions over `column`, with their parameters numbered from `firstParameter`.
    public func sql(column: String, firstParameter: Int) -> (conditions: [String], parameters: [String]) {
        var conditions: [String] = []
        var parameters: [String] = []
        func p(_ value: String) -> String {
            parameters.append(value)
            return "$\(firstParameter + parameters.count - 1)"
        }
        for requirement in requirements {
            switch requirement {
            case .equals(let k, let v): conditions.append("\(column)->>\(p(k)) = \(p(v))")
            case .notEquals(let k, let v): conditions.append("coalesce(\(column)->>\(p(k)) <> \(p(v)), true)")
            case .exists(let k): conditions.append("\(column) ? \(p(k))")
            case .notExists(let k): conditions.append("not (\(column) ? \(p(k)))")
            }
        }
        return (conditions, parameters)
    }
}

extension Request {
    /// `?label_selector=...`, or nil; a selector that cannot be read is a 400 problem.
    public var labelSelector: LabelSelector? {
        get throws {
            guard let text = uri.queryParameters["label_selector"], !text.isEmpty else { return nil }
            do {
                return try LabelSelector(parsing: String(text))
            } catch {
                throw Problem(.badRequest, title: "Bad label selector", detail: error.description)
            }
        }
    }
}

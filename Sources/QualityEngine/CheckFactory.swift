import Foundation
import Manifests

/// Builds checks from a QualityRule's spec. Every problem in a spec (an unknown check type, a bad
/// threshold, a pattern that does not compile) becomes that check's ERROR result naming the rule
/// and the check: a malformed rule never stops the other checks.
enum CheckFactory {
    enum Built {
        case check(any RowCheck)
        case failed(CheckResult)
    }

    static func build(_ rule: QualityRuleInput) -> [Built] {
        func ruleError(_ message: String) -> [Built] {
            [.failed(CheckInfo(rule: rule.name, check: "-", type: "rule", severity: .fail).error(message))]
        }
        guard rule.spec.objectValue != nil else { return ruleError("the spec is not an object") }
        guard let severityText = rule.spec["severity"]?.stringValue, let severity = Severity(rawValue: severityText) else {
            return ruleError("spec.severity must be warn or fail")
        }
        guard let checks = rule.spec["checks"]?.arrayValue, !checks.isEmpty else {
            return ruleError("spec.checks must be a non-empty list")
        }
        var names: [String] = []
        var built: [Built] = []
        for (i, spec) in checks.enumerated() {
            let name = spec["name"]?.stringValue ?? "checks[\(i)]"
            names.append(name)
            if let wanted = rule.checks, !wanted.contains(name) { continue }
            built.append(check(spec, name: name, rule: rule.name, severity: severity))
        }
        for wanted in rule.checks ?? [] where !names.contains(wanted) {
            let info = CheckInfo(rule: rule.name, check: wanted, type: "unknown", severity: severity)
            built.append(.failed(info.error("the rule has no check named \"\(wanted)\"\(Suggest.hint(for: wanted, in: names))")))
        }
        return built
    }

    private static func check(_ spec: JSONValue, name: String, rule: String, severity ruleSeverity: Severity) -> Built {
        var info = CheckInfo(rule: rule, check: name, type: "unknown", severity: ruleSeverity)
        guard let members = spec.objectValue else { return .failed(info.error("the check is not an object")) }
        if let override = spec["severity"] {
            guard let text = override.stringValue, let severity = Severity(rawValue: text) else {
                return .failed(info.error("severity must be warn or fail"))
            }
            info.severity = severity
        }
        let types = members.map(\.key).filter { Schemas.checkTypes.contains($0) }
        guard types.count == 1, let type = types.first, let body = spec[type] else {
            let found = types.isEmpty ? "none" : types.joined(separator: ", ")
            return .failed(info.error("a check names exactly one of \(Schemas.checkTypes.joined(separator: ", ")) (found: \(found))"))
        }
        info.type = type
        guard body.objectValue != nil else { return .failed(info.error("\(type) must be an object")) }
        info.thresholdText = body["threshold"] ?? .null
        switch Threshold.parse(body["threshold"]) {
        case .success(let threshold): info.threshold = threshold
        case .failure(let error): return .failed(info.error(error.message))
        }
        do {
            return .check(try make(type, body, info))
        } catch let error as SpecError {
            return .failed(info.error(error.message))
        } catch let error as RegexCompileError {
            return .failed(info.error(error.message))
        } catch {
            return .failed(info.error("\(error)"))
        }
    }

    private static func make(_ type: String, _ body: JSONValue, _ info: CheckInfo) throws -> any RowCheck {
        func column(_ key: String = "column") throws -> String {
            guard let name = body[key]?.stringValue, !name.isEmpty else { throw SpecError("\(type).\(key) must name a column") }
            return name
        }
        func number(_ key: String) throws -> Double? {
            guard let value = body[key], value != .null else { return nil }
            guard let n = value.numberValue, n.isFinite else { throw SpecError("\(type).\(key) must be a number") }
            return n
        }
        func count(_ key: String) throws -> Int? {
            guard let n = try number(key) else { return nil }
            guard n >= 0, n == n.rounded(), n < 9e18 else { throw SpecError("\(type).\(key) must be a whole number, 0 or more") }
            return Int(n)
        }
        switch type {
        case "rowCount":
            let min = try count("min"), max = try count("max")
            guard min != nil || max != nil else { throw SpecError("rowCount needs min or max") }
            if let min, let max, min > max { throw SpecError("rowCount.min \(min) is above max \(max)") }
            return RowCountCheck(info: info, min: min, max: max)
        case "missing":
            return MissingCheck(info: info, column: try column())
        case "unique":
            guard let list = body["columns"]?.arrayValue, !list.isEmpty else { throw SpecError("unique.columns must list columns") }
            let names = try list.map { item -> String in
                guard let s = item.stringValue, !s.isEmpty else { throw SpecError("unique.columns must hold column names") }
                return s
            }
            return UniqueCheck(info: info, columns: names)
        case "allowedValues":
            guard let values = body["values"]?.arrayValue, !values.isEmpty else {
                throw SpecError("allowedValues.values must list the values allowed")
            }
            return try AllowedValuesCheck(info: info, column: try column(), values: values)
        case "range":
            let min = try number("min"), max = try number("max")
            guard min != nil || max != nil else { throw SpecError("range needs min or max") }
            if let min, let max, min > max { throw SpecError("range.min \(min) is above max \(max)") }
            return RangeCheck(info: info, column: try column(), min: min, max: max)
        case "regex":
            guard let pattern = body["pattern"]?.stringValue, !pattern.isEmpty else { throw SpecError("regex.pattern must be a pattern") }
            let name = try column()
            return RegexCheck(info: info, column: name, matcher: try PatternMatcher(pattern: pattern))
        case "schema":
            guard let list = body["columns"]?.arrayValue, !list.isEmpty else { throw SpecError("schema.columns must list columns") }
            var columns: [(String, ColumnType)] = []
            for item in list {
                guard let name = item["name"]?.stringValue, !name.isEmpty else { throw SpecError("every schema column needs a name") }
                guard let typeText = item["type"]?.stringValue, let type = ColumnType(rawValue: typeText) else {
                    let known = ColumnType.allCases.map(\.rawValue)
                    throw SpecError("column \(name): type must be one of \(known.joined(separator: ", "))")
                }
                guard !columns.contains(where: { $0.0 == name }) else { throw SpecError("column \(name) is listed twice") }
                columns.append((name, type))
            }
            var allowExtra = true
            if let flag = body["allowExtraColumns"], flag != .null {
                guard let b = flag.boolValue else { throw SpecError("schema.allowExtraColumns must be true or false") }
                allowExtra = b
            }
            return SchemaCheck(info: info, columns: columns, allowExtraColumns: allowExtra)
        case "freshness":
            guard let text = body["maxAge"]?.stringValue, let seconds = DurationText.seconds(text) else {
                throw SpecError("freshness.maxAge must be a duration such as 36h or 720d")
            }
            return FreshnessCheck(info: info, column: try column(), maxAge: seconds, maxAgeText: text)
        default:
            throw SpecError("unknown check type \(type)")
        }
    }
}

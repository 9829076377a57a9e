/// A search filter in MLflow's syntax (`metrics.loss < 0.3 and params.lr = '0.01' and
/// tags.team = 'growth' and attributes.status = 'FINISHED'`): comparisons joined by AND, parsed
/// once and evaluated against each run. A filter it cannot read is refused with the character
/// position where reading stopped.
struct RunFilter: Sendable {
    /// What a comparison looks at.
    enum Entity: String, Sendable {
        case metric, param, tag, attribute
    }

    enum Comparator: String, Sendable {
        case equal = "="
        case notEqual = "!="
        case greater = ">"
        case greaterOrEqual = ">="
        case less = "<"
        case lessOrEqual = "<="
        case like = "LIKE"
        case ilike = "ILIKE"
        case inList = "IN"
        case notIn = "NOT IN"
        case isNull = "IS NULL"
        case isNotNull = "IS NOT NULL"
    }

    enum Value: Sendable, Equatable {
        case number(Double)
        case text(String)
        case list([String])
        case missing
    }

    struct Comparison: Sendable {
        var entity: Entity
        var key: String
        var comparator: Comparator
        var value: Value
    }

    var comparisons: [Comparison]

    static let numericAttributes: Set<String> = ["start_time", "end_time", "created", "creation_time", "last_update_time"]
    static let textAttributes: Set<String> = [
        "status", "run_name", "run_id", "user_id", "artifact_uri", "lifecycle_stage", "name", "experiment_id",
    ]

    /// Parses `text`; `attributes` names the attributes the search knows (runs or experiments).
    init(_ text: String, attributes: Set<String> = numericAttributes.union(textAttributes)) throws {
        var parser = Parser(text: Array(text.unicodeScalars), source: text)
        comparisons = []
        parser.skipSpace()
        if parser.atEnd { return }
        while true {
            comparisons.append(try parser.comparison(attributes: attributes))
            parser.skipSpace()
            if parser.atEnd { break }
            guard parser.keyword("AND") else { throw parser.error("expected AND or the end of the filter") }
        }
    }

    /// Whether a thing with these values passes every comparison; `attribute` answers text
    /// attributes and `number` numeric ones (nil: it has none).
    func matches(
        metric: (String) -> Double?, param: (String) -> String?, tag: (String) -> String?, attribute: (String) -> Value
    ) -> Bool {
        comparisons.allSatisfy { comparison in
            switch comparison.entity {
            case .metric: return Self.compare(metric(comparison.key).map(Value.number) ?? .missing, comparison)
            case .param: return Self.compare(param(comparison.key).map(Value.text) ?? .missing, comparison)
            case .tag: return Self.compare(tag(comparison.key).map(Value.text) ?? .missing, comparison)
            case .attribute: return Self.compare(attribute(comparison.key), comparison)
            }
        }
    }

    static func compare(_ actual: Value, _ comparison: Comparison) -> Bool {
        switch (comparison.comparator, actual) {
        case (.isNull, .missing): return true
        case (.isNull, _): return false
        case (.isNotNull, .missing): return false
        case (.isNotNull, _): return true
        case (_, .missing): return false
        default: break
        }
        switch (actual, comparison.value) {
        case (.number(let a), .number(let b)):
            switch comparison.comparator {
            case .equal: return a == b
            case .notEqual: return a != b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            case .less: return a < b
            case .lessOrEqual: return a <= b
            default: return false
            }
        case (.text(let a), .text(let b)):
            switch comparison.comparator {
            case .equal: return a == b
            case .notEqual: return a != b
            case .like: return Like.matches(Array(a.unicodeScalars), Array(b.unicodeScalars))
            case .ilike: return Like.matches(Array(a.lowercased().unicodeScalars), Array(b.lowercased().unicodeScalars))
            default: return false
            }
        case (.text(let a), .list(let values)):
            return comparison.comparator == .inList ? values.contains(a) : !values.contains(a)
        default: return false
        }
    }

    /// SQL's LIKE: `%` any run of characters, `_` any one.
    enum Like {
        static func matches(_ text: [Unicode.Scalar], _ pattern: [Unicode.Scalar]) -> Bool {
            // Positions in the pattern reachable after each character of the text.
            var reachable = Set(closure([0], pattern))
            for character in text {
                var next = Set<Int>()
                for position in reachable where position < pattern.count {
                    switch pattern[position] {
                    case "%": next.insert(position)
                    case "_": next.insert(position + 1)
                    case let p where p == character: next.insert(position + 1)
                    default: break
                    }
                }
                reachable = Set(closure(Array(next), pattern))
                if reachable.isEmpty { return false }
            }
            return reachable.contains(pattern.count)
        }

        /// Positions plus those reached by letting each `%` match nothing.
        static func closure(_ positions: [Int], _ pattern: [Unicode.Scalar]) -> [Int] {
            var out = positions
            var index = 0
            while index < out.count {
                let position = out[index]
                if position < pattern.count, pattern[position] == "%", !out.contains(position + 1) { out.append(position + 1) }
                index += 1
            }
            return out
        }
    }

    /// A hand-written reader of the filter, keeping its position for errors.
    struct Parser {
        let text: [Unicode.Scalar]
        let source: String
        var position = 0

        var atEnd: Bool { position >= text.count }

        func error(_ what: String) -> MLflowError {
            let found = atEnd ? "the end" : "'" + String(String.UnicodeScalarView(text[position...].prefix(12))) + "'"
            return MLflowError.invalid("Invalid filter '\(source)': at character \(position + 1), \(what); found \(found)")
        }

        mutating func skipSpace() {
            while !atEnd, text[position].properties.isWhitespace { position += 1 }
        }

        /// A case-insensitive keyword followed by a space, a quote, a parenthesis or the end.
        mutating func keyword(_ word: String) -> Bool {
            skipSpace()
            let scalars = Array(word.unicodeScalars)
            guard position + scalars.count <= text.count else { return false }
            for (offset, scalar) in scalars.enumerated()
            where String(text[position + offset]).uppercased() != String(scalar) {
                return false
            }
            let after = position + scalars.count
            if after < text.count, Self.isWord(text[after]) { return false }
            position = after
            return true
        }

        static func isWord(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"
        }

        mutating func comparison(attributes: Set<String>) throws -> Comparison {
            skipSpace()
            let start = position
            var word = ""
            while !atEnd, Self.isWord(text[position]) {
                word.unicodeScalars.append(text[position])
                position += 1
            }
            let entity: Entity
            var key: String
            if !atEnd, text[position] == "." {
                switch word.lowercased() {
                case "metrics", "metric": entity = .metric
                case "params", "param", "parameters", "parameter": entity = .param
                case "tags", "tag": entity = .tag
                case "attributes", "attribute", "attr", "run": entity = .attribute
                default:
                    position = start
                    throw error("expected an identifier starting with metrics., params., tags. or attributes.")
                }
                position += 1
                key = try identifierKey()
            } else if attributes.contains(word.lowercased()) {
                entity = .attribute
                key = word
            } else {
                position = start
                throw error("expected an identifier starting with metrics., params., tags. or attributes.")
            }
            if entity == .attribute {
                key = key.lowercased()
                guard attributes.contains(key) else {
                    position = start
                    throw error("unknown attribute '\(key)' (known: \(attributes.sorted().joined(separator: ", ")))")
                }
            }
            let comparator = try readComparator()
            let numeric = entity == .metric || (entity == .attribute && RunFilter.numericAttributes.contains(key))
            if comparator == .isNull || comparator == .isNotNull {
                guard entity == .param || entity == .tag else { throw error("IS NULL and IS NOT NULL apply to params and tags") }
                return Comparison(entity: entity, key: key, comparator: comparator, value: .missing)
            }
            if numeric {
                guard [.equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual].contains(comparator) else {
                    throw error("\(entity == .metric ? "metrics" : key) compare with =, !=, >, >=, < or <=, not \(comparator.rawValue)")
                }
                return Comparison(entity: entity, key: key, comparator: comparator, value: .number(try number()))
            }
            if comparator == .inList || comparator == .notIn {
                return Comparison(entity: entity, key: key, comparator: comparator, value: .list(try list()))
            }
            guard [.equal, .notEqual, .like, .ilike].contains(comparator) else {
                throw error("\(entity.rawValue)s compare with =, !=, LIKE, ILIKE, IN or NOT IN, not \(comparator.rawValue)")
            }
            return Comparison(entity: entity, key: key, comparator: comparator, value: .text(try quoted()))
        }

        /// A key: a run of word characters, dots and dashes, or a `backquoted`/"double-quoted" one.
        mutating func identifierKey() throws -> String {
            if !atEnd, text[position] == "`" || text[position] == "\"" {
                return try quoted(allowing: [text[position]])
            }
            var key = ""
            while !atEnd, Self.isWord(text[position]) || text[position] == "." || text[position] == "-" {
                key.unicodeScalars.append(text[position])
                position += 1
            }
            guard !key.isEmpty else { throw error("expected a key after the '.'") }
            return key
        }

        mutating func readComparator() throws -> Comparator {
            skipSpace()
            let start = position
            for symbol in [">=", "<=", "!=", "=", ">", "<"] {
                let scalars = Array(symbol.unicodeScalars)
                if position + scalars.count <= text.count, Array(text[position..<position + scalars.count]) == scalars {
                    position += scalars.count
                    // ">>" or "=<" is no comparator.
                    if !atEnd, "<>=!".unicodeScalars.contains(text[position]) {
                        position = start
                        break
                    }
                    return Comparator(rawValue: symbol)!
                }
            }
            if keyword("LIKE") { return .like }
            if keyword("ILIKE") { return .ilike }
            if keyword("IN") { return .inList }
            let before = position
            if keyword("NOT") {
                if keyword("IN") { return .notIn }
                position = before
            }
            if keyword("IS") {
                if keyword("NULL") { return .isNull }
                if keyword("NOT"), keyword("NULL") { return .isNotNull }
                position = before
            }
            throw error("expected a comparator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN, IS NULL, IS NOT NULL)")
        }

        mutating func number() throws -> Double {
            skipSpace()
            let start = position
            var literal = ""
            while !atEnd, "0123456789+-.eE".unicodeScalars.contains(text[position]) {
                literal.unicodeScalars.append(text[position])
                position += 1
            }
            guard !literal.isEmpty, let value = Double(literal), value.isFinite else {
                position = start
                throw error("expected a number")
            }
            return value
        }

        /// A string in single or double quotes (or the quote characters given); `\` escapes the next character.
        mutating func quoted(allowing quotes: [Unicode.Scalar] = ["'", "\""]) throws -> String {
            skipSpace()
            guard !atEnd, quotes.contains(text[position]) else {
                throw error(quotes == ["`"] ? "expected a backquoted key" : "expected a quoted string such as 'value'")
            }
            let quote = text[position]
            let start = position
            position += 1
            var value = ""
            while !atEnd, text[position] != quote {
                if text[position] == "\\", position + 1 < text.count { position += 1 }
                value.unicodeScalars.append(text[position])
                position += 1
            }
            guard !atEnd else {
                position = start
                throw error("this quoted string is not closed")
            }
            position += 1
            return value
        }

        /// `('a', 'b')`.
        mutating func list() throws -> [String] {
            skipSpace()
            guard !atEnd, text[position] == "(" else { throw error("expected a parenthesised list such as ('a', 'b')") }
            position += 1
            var values: [String] = []
            while true {
                values.append(try quoted())
                skipSpace()
                guard !atEnd else { throw error("expected ',' or ')'") }
                if text[position] == ")" {
                    position += 1
                    return values
                }
                guard text[position] == "," else { throw error("expected ',' or ')'") }
                position += 1
            }
        }
    }
}

/// A position in a YAML stream, 1-based, as editors and compilers print them.
public struct Mark: Sendable, Hashable, Codable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// How a scalar was written. Only plain scalars take part in implicit typing.
public enum ScalarStyle: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

public struct YAMLScalar: Sendable, Hashable {
    public var text: String
    public var style: ScalarStyle

    public init(text: String, style: ScalarStyle) {
        self.text = text
        self.style = style
    }
}

/// One key/value entry of a mapping, in document order.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A node of a composed YAML document, carrying where it started.
public struct YAMLNode: Sendable {
    public enum Value: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var value: Value
    public var mark: Mark
    /// The explicit tag, fully resolved (`tag:yaml.org,2002:str` for `!!str`); nil when none was written.
    public var tag: String?

    public init(value: Value, mark: Mark, tag: String? = nil) {
        self.value = value
        self.mark = mark
        self.tag = tag
    }

    /// The scalar, if this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let s) = value { return s }
        return nil
    }

    /// A plain or tagged-null scalar that reads as null: `~`, `null`, `Null`, `NULL` or nothing.
    public var isNull: Bool {
        guard case .scalar(let s) = value else { return false }
        if let tag { return tag == YAMLTag.null }
        return s.style == .plain && ImplicitScalar.isNull(s.text)
    }
}

public enum YAMLTag {
    public static let null = "tag:yaml.org,2002:null"
    public static let bool = "tag:yaml.org,2002:bool"
    public static let int = "tag:yaml.org,2002:int"
    public static let float = "tag:yaml.org,2002:float"
    public static let str = "tag:yaml.org,2002:str"
}

/// A document of a stream: its root (nil for an empty document) and where it began.
public struct YAMLDocument: Sendable {
    public var root: YAMLNode?
    public var start: Mark
    /// 0-based position of the document in its stream.
    public var index: Int
}

import CYaml

/// Turns libyaml's event stream into `YAMLNode` trees without recursion, so nesting depth is
/// a checked limit rather than a stack overflow, and aliases are counted as what they expand to.
public enum Composer {
    /// Composes every document of `bytes` (UTF-8, UTF-16 with a BOM also accepted by libyaml).
    public static func compose(_ bytes: UnsafeRawBufferPointer, limits: YAMLLimits = .default)
        -> YAMLStream
    {
        var state = ComposeState(limits: limits)
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            return YAMLStream(
                documents: [],
                issues: [
                    YAMLIssue(
                        code: .syntax, mark: Mark(line: 1, column: 1),
                        message: "could not start the YAML parser (out of memory)",
                        documentIndex: nil)
                ])
        }
        defer { yaml_parser_delete(parser) }
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        // libyaml reads from a non-null pointer even for an empty input.
        var empty: UInt8 = 0
        withUnsafePointer(to: &empty) { emptyPointer in
            yaml_parser_set_input_string(parser, base ?? emptyPointer, bytes.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) == 1 else {
                    state.syntaxError(parser.pointee, input: bytes)
                    break
                }
                let done = event.type == YAML_STREAM_END_EVENT
                state.handle(event)
                yaml_event_delete(&event)
                if done || state.stopped { break }
            }
        }
        return YAMLStream(documents: state.documents, issues: state.issues)
    }

    /// Convenience for callers holding a `String` or byte array.
    public static func compose(_ text: String, limits: YAMLLimits = .default) -> YAMLStream {
        var text = text
        return text.withUTF8 { compose(UnsafeRawBufferPointer($0), limits: limits) }
    }

    public static func compose(_ bytes: [UInt8], limits: YAMLLimits = .default) -> YAMLStream {
        bytes.withUnsafeBytes { compose($0, limits: limits) }
    }
}

private struct Frame {
    var isMapping: Bool
    var mark: Mark
    var tag: String?
    var anchor: String?
    var nodesAtStart: Int
    var items: [YAMLNode] = []
    var pairs: [YAMLPair] = []
    var pendingKey: YAMLNode?
    /// Scalar keys seen so far, built once a mapping grows past a handful of keys.
    var keyIndex: [String: Mark]?
}

private struct ComposeState {
    let limits: YAMLLimits
    var documents: [YAMLDocument] = []
    var issues: [YAMLIssue] = []
    var stopped = false

    // Per document.
    var documentIndex = -1
    var documentStart = Mark(line: 1, column: 1)
    var stack: [Frame] = []
    var root: YAMLNode?
    var anchors: [String: (node: YAMLNode, nodes: Int)] = [:]
    var nodes = 0
    /// Set when the document broke a limit: its remaining events are skipped.
    var skipping = false

    init(limits: YAMLLimits) { self.limits = limits }

    mutating func handle(_ event: yaml_event_t) {
        let mark = Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentIndex += 1
            if documentIndex >= limits.maxDocuments {
                issue(.limit, mark, "more than \(limits.maxDocuments) documents in one stream; split the file")
                stopped = true
                return
            }
            documentStart = mark
            stack.removeAll(keepingCapacity: true)
            root = nil
            anchors.removeAll(keepingCapacity: true)
            nodes = 0
            skipping = false
        case YAML_DOCUMENT_END_EVENT:
            if !skipping {
                documents.append(YAMLDocument(root: root, start: documentStart, index: documentIndex))
            }
        case YAML_SCALAR_EVENT:
            guard !skipping else { return }
            let data = event.data.scalar
            guard data.length <= limits.maxScalarBytes else {
                return limit(mark, "a string of \(data.length) bytes is over the \(limits.maxScalarBytes)-byte limit for one value")
            }
            let text =
                data.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: data.length), as: UTF8.self)
                } ?? ""
            let style: ScalarStyle
            switch data.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let node = YAMLNode(
                value: .scalar(YAMLScalar(text: text, style: style)), mark: mark,
                tag: string(data.tag))
            guard count(1, mark) else { return }
            if let anchor = string(data.anchor) { anchors[anchor] = (node, 1) }
            attach(node)
        case YAML_ALIAS_EVENT:
            guard !skipping else { return }
            let name = string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                issue(.undefinedAlias, mark, "alias *\(name) refers to no anchor &\(name) earlier in this document")
                skipping = true
                return
            }
            guard count(target.nodes, mark, alias: name) else { return }
            var node = target.node
            node.mark = mark
            attach(node)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard !skipping else { return }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            guard stack.count < limits.maxDepth else {
                return limit(mark, "nesting deeper than \(limits.maxDepth) levels")
            }
            guard count(1, mark) else { return }
            let tag = isMapping ? string(event.data.mapping_start.tag) : string(event.data.sequence_start.tag)
            let anchor = isMapping ? string(event.data.mapping_start.anchor) : string(event.data.sequence_start.anchor)
            stack.append(Frame(isMapping: isMapping, mark: mark, tag: tag, anchor: anchor, nodesAtStart: nodes - 1))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard !skipping, let frame = stack.popLast() else { return }
            let node = YAMLNode(
                value: frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items),
                mark: frame.mark, tag: frame.tag)
            if let anchor = frame.anchor { anchors[anchor] = (node, nodes - frame.nodesAtStart) }
            attach(node)
        default:
            break
        }
    }

    /// Adds `n` nodes to the document's count; false (and the document skipped) past the limit.
    mutating func count(_ n: Int, _ mark: Mark, alias: String? = nil) -> Bool {
        nodes += n
        guard nodes > limits.maxNodesPerDocument else { return true }
        if let alias {
            limit(
                mark,
                "alias *\(alias) expands the document past \(limits.maxNodesPerDocument) nodes (an alias bomb?); write the values out instead"
            )
        } else {
            limit(mark, "more than \(limits.maxNodesPerDocument) nodes in one document; split it")
        }
        return false
    }

    mutating func attach(_ node: YAMLNode) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        if !stack[top].isMapping {
            stack[top].items.append(node)
            return
        }
        guard let key = stack[top].pendingKey else {
            checkDuplicate(key: node, in: top)
            stack[top].pendingKey = node
            return
        }
        stack[top].pairs.append(YAMLPair(key: key, value: node))
        stack[top].pendingKey = nil
    }

    mutating func checkDuplicate(key: YAMLNode, in top: Int) {
        guard case .scalar(let s) = key.value else { return }
        var first: Mark?
        if let index = stack[top].keyIndex {
            first = index[s.text]
        } else {
            first = stack[top].pairs.first(where: { $0.key.scalar?.text == s.text })?.key.mark
            if stack[top].pairs.count >= 16 {
                var index: [String: Mark] = [:]
                for pair in stack[top].pairs {
                    if let t = pair.key.scalar?.text, index[t] == nil { index[t] = pair.key.mark }
                }
                stack[top].keyIndex = index
            }
        }
        if let first {
            issue(.duplicateKey, key.mark, "duplicate key \"\(s.text)\" (first at line \(first.line), column \(first.column))")
        } else if stack[top].keyIndex != nil {
            stack[top].keyIndex![s.text] = key.mark
        }
    }

    mutating func limit(_ mark: Mark, _ message: String) {
        issue(.limit, mark, message)
        skipping = true
    }

    mutating func issue(_ code: YAMLIssue.Code, _ mark: Mark, _ message: String) {
        issues.append(
            YAMLIssue(
                code: code, mark: mark, message: message,
                documentIndex: documentIndex >= 0 ? documentIndex : nil))
    }

    mutating func syntaxError(_ parser: yaml_parser_t, input: UnsafeRawBufferPointer) {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var mark = Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        if parser.error == YAML_READER_ERROR {
            // The reader (encoding) stage reports a byte offset, not a mark.
            mark = Self.mark(atByte: Int(parser.problem_offset), in: input)
            issue(.syntax, mark, "\(problem) (the file must be UTF-8 or UTF-16 text)")
            return
        }
        if problem.contains("nesting level") {
            issue(.limit, mark, "nesting deeper than libyaml's limit of 1000 levels")
            return
        }
        var message = problem
        if let offset = Self.byteOffset(of: mark, in: input), offset < input.count, input[offset] == UInt8(ascii: "\t") {
            message += ": a tab; YAML indents with spaces only"
        }
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " (\(context) that started at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
        }
        issue(.syntax, mark, message)
    }

    /// Byte offset of a line and column (in characters), if the input has them.
    static func byteOffset(of mark: Mark, in input: UnsafeRawBufferPointer) -> Int? {
        var line = 1
        var column = 1
        for (offset, byte) in input.enumerated() {
            if line == mark.line && column == mark.column { return offset }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            if line > mark.line { return nil }
        }
        return nil
    }

    /// Line and column (in characters) of a byte offset.
    static func mark(atByte offset: Int, in input: UnsafeRawBufferPointer) -> Mark {
        var line = 1
        var column = 1
        for byte in input.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Mark(line: line, column: column)
    }

    func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

import RerankJSON

/// Which records a log file holds, from its name.
enum LogFileKind: Sendable {
    /// `ubi_queries*.ndjson`: documents are queries unless a `_bulk` action line says otherwise.
    case queries
    /// `ubi_events*.ndjson`: documents are events unless a `_bulk` action line says otherwise.
    case events
    /// Any other `.ndjson`: a `_bulk` file; documents without an action line are events when they have an
    /// `action_name`, queries otherwise.
    case mixed
}

/// Splits one NDJSON or `_bulk` file into records and problems.
struct LogFileParser {
    let path: String
    let kind: LogFileKind
    var queries: [UBIQuery] = []
    var events: [UBIEvent] = []
    var problems: [LogProblem] = []

    /// What the last `_bulk` action line said the next document is.
    private enum Target {
        case queries
        case events
        case skip(String)
    }

    /// Lines parsed so far.
    private var lineNumber = 0
    /// The target the last `_bulk` action line named (nil: the file's default) and that line's number.
    private var pending: (target: Target?, line: Int)?

    init(path: String, kind: LogFileKind) {
        self.path = path
        self.kind = kind
    }

    /// Parses the next part of the file: whole lines, except that the file's last part may end mid-line.
    ///
    /// - Parameter endsFile: `bytes` is the file's last part (a `_bulk` action line at its end lacks a document).
    mutating func parse(_ bytes: [UInt8], endsFile: Bool = true) {
        var lineStart = 0
        while lineStart < bytes.count {
            lineNumber += 1
            let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n"))
            let lineEnd = newline ?? bytes.count
            defer { lineStart = lineEnd + 1 }
            let contentEnd = lineEnd > lineStart && bytes[lineEnd - 1] == UInt8(ascii: "\r") ? lineEnd - 1 : lineEnd
            guard bytes[lineStart..<contentEnd].contains(where: { !Self.isWhitespace($0) }) else { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes, range: lineStart..<contentEnd)
            } catch {
                // Where in the line reading stopped, so a file reads the same in blocks as whole.
                let error = "\(error.reason) at byte \(error.offset - lineStart) of the line"
                if newline == nil {
                    problems.append(
                        LogProblem(
                            location: LogLocation(file: path, line: lineNumber),
                            reason:
                                "torn last line (the file ends mid-record without a newline, as a crash leaves it): \(error)",
                            isTornLastLine: true))
                } else {
                    report(lineNumber, "not valid JSON: \(error)")
                }
                continue
            }
            guard case .object(let object) = value else {
                report(lineNumber, "expected a JSON object, found \(value.kindName)")
                continue
            }
            if let action = Self.bulkAction(object) {
                if let earlier = pending {
                    report(earlier.line, "_bulk action line is not followed by a document")
                }
                switch action.name {
                case "index", "create":
                    pending = (action.index.map(Self.target(forIndex:)), lineNumber)
                case "delete":
                    pending = nil
                    report(lineNumber, "_bulk delete actions are not applied to logs; the line was skipped")
                default:
                    pending = (
                        .skip("_bulk \(action.name) documents are not applied to logs; the line was skipped"),
                        lineNumber
                    )
                }
                continue
            }
            let target = pending.flatMap(\.target) ?? defaultTarget(for: object)
            pending = nil
            decode(object, as: target, line: lineNumber)
        }
        if endsFile, let earlier = pending {
            report(earlier.line, "_bulk action line is not followed by a document")
        }
    }

    /// Takes the records and problems parsed so far, leaving none.
    mutating func take() -> (queries: [UBIQuery], events: [UBIEvent], problems: [LogProblem]) {
        defer { (queries, events, problems) = ([], [], []) }
        return (queries, events, problems)
    }

    private mutating func decode(_ object: JSONObject, as target: Target, line: Int) {
        let location = LogLocation(file: path, line: line)
        do {
            switch target {
            case .queries:
                var query = try UBIQuery(json: object)
                query.location = location
                queries.append(query)
            case .events:
                var event = try UBIEvent(json: object)
                event.location = location
                events.append(event)
            case .skip(let reason):
                report(line, reason)
            }
        } catch {
            report(line, error.message)
        }
    }

    private mutating func report(_ line: Int, _ reason: String) {
        problems.append(LogProblem(location: LogLocation(file: path, line: line), reason: reason))
    }

    private func defaultTarget(for object: JSONObject) -> Target {
        switch kind {
        case .queries: .queries
        case .events: .events
        case .mixed: object["action_name"] == nil ? .queries : .events
        }
    }

    /// The action and `_index` of a `_bulk` action line such as `{"index": {"_index": "ubi_events"}}`.
    private static func bulkAction(_ object: JSONObject) -> (name: String, index: String?)? {
        guard object.members.count == 1, let member = object.members.first,
            ["index", "create", "update", "delete"].contains(member.key),
            case .object(let metadata) = member.value
        else { return nil }
        return (member.key, metadata["_index"]?.stringValue)
    }

    private static func target(forIndex index: String) -> Target {
        if index.hasPrefix("ubi_queries") { return .queries }
        if index.hasPrefix("ubi_events") { return .events }
        return .skip(
            "document for index '\(index)' is not UBI data (expected ubi_queries or ubi_events); the line was skipped")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}

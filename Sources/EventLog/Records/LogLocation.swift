/// Where a record or a problem was found: a file and a 1-based line number, or a cluster document (line 0).
public struct LogLocation: Sendable, Hashable, CustomStringConvertible {
    /// The path of the file as the reader was given it.
    public var file: String
    /// 1-based line number; 0 for a document read from the cluster, whose `file` is `<index>/_doc/<id>`.
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// `file:line`, the form editors and terminals jump to; a cluster document's `<index>/_doc/<id>`.
    public var description: String { line == 0 ? file : "\(file):\(line)" }
}

/// A record that may know where it was read from.
protocol Locatable {
    var location: LogLocation? { get }
}

extension UBIQuery: Locatable {}
extension UBIEvent: Locatable {}

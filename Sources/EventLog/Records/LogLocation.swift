/// Where a record or a problem was found: a file and a 1-based line number.
public struct LogLocation: Sendable, Hashable, CustomStringConvertible {
    /// The path of the file as the reader was given it.
    public var file: String
    /// 1-based line number.
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// `file:line`, the form editors and terminals jump to.
    public var description: String { "\(file):\(line)" }
}

/// A record that may know where it was read from.
protocol Locatable {
    var location: LogLocation? { get }
}

extension UBIQuery: Locatable {}
extension UBIEvent: Locatable {}

import Foundation

/// One CSV record and the line it starts on.
struct CSVRecord: Sendable, Equatable {
    /// 1-based line of the record's first byte (a quoted field can span lines).
    var line: Int
    var fields: [String]
    /// The file ended inside a quoted field.
    var unterminatedQuote = false
}

/// Streams RFC 4180 CSV records from a file: comma-separated, fields optionally in double quotes, a quote inside
/// a quoted field doubled, records ended by LF, CRLF or CR. A leading UTF-8 byte order mark is dropped and
/// blank lines are skipped. Reads in 1 MiB chunks, so files larger than memory are fine.
struct CSVReader {
    private enum State {
        case fieldStart
        case unquoted
        case quoted
        case quoteInQuoted
    }

    private let path: String
    private let handle: FileHandle
    private var chunk: [UInt8] = []
    private var index = 0
    private var atEnd = false
    private var atStart = true
    private var line = 1
    private var skipLineFeed = false

    init(path: String) throws(EventLogError) {
        self.path = path
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw .cannotRead(path, error.localizedDescription)
        }
    }

    /// The next record, or nil at the end of the file.
    mutating func next() throws(EventLogError) -> CSVRecord? {
        var fields: [String] = []
        var field: [UInt8] = []
        var state = State.fieldStart
        var startLine = line
        var started = false
        while true {
            guard let byte = try nextByte() else {
                guard started else { return nil }
                fields.append(String(decoding: field, as: UTF8.self))
                return CSVRecord(line: startLine, fields: fields, unterminatedQuote: state == .quoted)
            }
            if skipLineFeed {
                skipLineFeed = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            if !started {
                if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                    endLine(byte)
                    startLine = line
                    continue
                }
                started = true
            }
            switch (state, byte) {
            case (.quoted, UInt8(ascii: "\"")):
                state = .quoteInQuoted
            case (.quoted, _):
                if byte == UInt8(ascii: "\n") { line += 1 }
                field.append(byte)
            case (.quoteInQuoted, UInt8(ascii: "\"")):
                field.append(byte)
                state = .quoted
            case (.fieldStart, UInt8(ascii: "\"")):
                state = .quoted
            case (_, UInt8(ascii: ",")):
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                state = .fieldStart
            case (_, UInt8(ascii: "\n")), (_, UInt8(ascii: "\r")):
                endLine(byte)
                fields.append(String(decoding: field, as: UTF8.self))
                return CSVRecord(line: startLine, fields: fields)
            default:
                // Lenient: text after a closing quote, or a quote inside an unquoted field, is kept as is.
                field.append(byte)
                state = .unquoted
            }
        }
    }

    private mutating func endLine(_ byte: UInt8) {
        line += 1
        skipLineFeed = byte == UInt8(ascii: "\r")
    }

    private mutating func nextByte() throws(EventLogError) -> UInt8? {
        if index == chunk.count {
            guard !atEnd else { return nil }
            do {
                chunk = [UInt8](try handle.read(upToCount: 1 << 20) ?? Data())
            } catch {
                throw .cannotRead(path, error.localizedDescription)
            }
            index = 0
            if chunk.isEmpty {
                atEnd = true
                try? handle.close()
                return nil
            }
            if atStart {
                atStart = false
                if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
                if index == chunk.count { return try nextByte() }
            }
        }
        defer { index += 1 }
        return chunk[index]
    }
}

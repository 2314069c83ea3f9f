import Foundation

/// A CSV file with a header line: column lookup by name, and rows with the header's number of fields.
struct CSVTable {
    let path: String
    /// Column names as written, trimmed.
    let names: [String]
    private let indexes: [String: Int]
    private var reader: CSVReader

    /// Opens `path` and reads its header.
    ///
    /// - Throws: ``EventLogError`` when the file cannot be read or lacks one of the `required` columns.
    init(path: String, required: [String]) throws(EventLogError) {
        self.path = path
        reader = try CSVReader(path: path)
        names = (try reader.next()?.fields ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        var indexes: [String: Int] = [:]
        for (index, name) in names.enumerated() where indexes[name.uppercased()] == nil {
            indexes[name.uppercased()] = index
        }
        self.indexes = indexes
        for column in required where indexes[column] == nil {
            throw .missingColumn(column, in: path, header: names)
        }
    }

    /// The index of the column named `name` (case-insensitive).
    func column(_ name: String) -> Int? { indexes[name.uppercased()] }

    /// The next row with as many fields as the header; other rows are rejected into `result` and skipped.
    mutating func nextRow(into result: inout ImportSummary.FileResult, keeping limit: Int) throws(EventLogError)
        -> CSVRecord?
    {
        while let record = try reader.next() {
            result.rowsRead += 1
            if record.unterminatedQuote {
                result.reject(
                    RowRejection(
                        reason: "unterminated quoted field",
                        detail: "a quoted field starting in this row is never closed; close it with \""),
                    line: record.line, keeping: limit)
            } else if record.fields.count != names.count {
                result.reject(
                    RowRejection(
                        reason: "wrong number of columns",
                        detail:
                            "expected \(names.count) columns, found \(record.fields.count); quote fields that contain commas"
                    ),
                    line: record.line, keeping: limit)
            } else {
                return record
            }
        }
        return nil
    }
}

extension ImportSummary.FileResult {
    /// Counts a rejected row and keeps it as an example while fewer than `limit` are kept.
    mutating func reject(_ rejection: RowRejection, line: Int, keeping limit: Int) {
        rejectedByReason[rejection.reason, default: 0] += 1
        if rejections.count < limit {
            rejections.append(
                LogProblem(
                    location: LogLocation(file: path, line: line), reason: "\(rejection.reason): \(rejection.detail)"))
        }
    }
}

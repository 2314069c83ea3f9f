import Foundation
import RerankJSON

/// Turns rows of a Personalize items or users CSV into metadata documents: `id` first, then each other column
/// under its lowercased name.
struct MetadataColumns {
    let id: Int
    let columns: [(index: Int, name: String)]

    init(_ table: CSVTable, idColumn: String) {
        id = table.column(idColumn)!
        columns = table.names.enumerated().compactMap { index, name in
            guard index != table.column(idColumn), table.column(name) == index else { return nil }
            return (index, name.lowercased())
        }
    }

    func record(_ fields: [String], idColumn: String) throws(RowRejection) -> JSONObject {
        let identifier = fields[id].trimmingCharacters(in: .whitespaces)
        guard !identifier.isEmpty else {
            throw RowRejection(reason: "missing \(idColumn)", detail: "\(idColumn) is empty")
        }
        var record = JSONObject(["id": .string(identifier)])
        for column in columns {
            if let value = MetadataValue.parse(fields[column.index]) { record[column.name] = value }
        }
        return record
    }
}

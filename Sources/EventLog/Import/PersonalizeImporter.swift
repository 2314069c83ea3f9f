import Foundation
import RerankJSON

/// Imports Amazon Personalize datasets (interactions, items and users CSVs) as UBI logs and metadata.
///
/// - Interactions CSV: header `USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE` plus optional `EVENT_VALUE`, `SESSION_ID`,
///   `QUERY`, `IMPRESSION` (`|`-separated item ids shown) and any context columns (`DEVICE`, ...); `TIMESTAMP` in
///   epoch seconds. Each row becomes one `ubi_events` record in `ubi_events-personalize.ndjson`: `action_name`
///   is `EVENT_TYPE` lowercased with spaces turned into `_`, `client_id` is `USER_ID`, `session_id` and
///   `user_query` come from `SESSION_ID` and `QUERY`, `event_attributes.object.object_id` is `ITEM_ID`,
///   `event_attributes.value` is `EVENT_VALUE`, other columns go into `event_attributes` under lowercased names,
///   and `position.ordinal` is `ITEM_ID`'s place in `IMPRESSION` when given.
/// - Items CSV (`ITEM_ID` + metadata such as `CATEGORY|BRAND|PRICE`) → `items.ndjson`; users CSV (`USER_ID` +
///   metadata) → `users.ndjson`: one object per row, `id` then the lowercased columns; `a|b` becomes an array,
///   numbers become numbers.
///
/// Personalize interactions record no searches, so no `ubi_queries` are produced: the events carry no
/// `query_id`, and serve item and user statistics rather than ranked impressions (see
/// ``ImportSummary/noQueriesNote``). Bad rows (wrong number of columns, empty ids, bad timestamps) are skipped
/// and reported with line numbers. Output files appear atomically, replacing earlier imports of the same name.
///
/// ```swift
/// let summary = try PersonalizeImporter().run(interactions: "interactions.csv", items: "items.csv", output: "logs")
/// print(summary.text)
/// ```
public struct PersonalizeImporter: Sendable {
    /// Settings of an import.
    ///
    /// - `objectIDField` (String, default `item_id`): written as `event_attributes.object.object_id_field`.
    /// - `rejectionExamples` (Int, default 20): rejected rows kept per file, with line numbers, for the summary.
    public struct Configuration: Sendable {
        public var objectIDField = "item_id"
        public var rejectionExamples = 20

        public init() {}
    }

    /// The events file an import writes.
    public static let eventsFileName = "ubi_events-personalize.ndjson"
    /// The item metadata file an import writes.
    public static let itemsFileName = "items.ndjson"
    /// The user metadata file an import writes.
    public static let usersFileName = "users.ndjson"

    public let configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Imports the CSVs into `output`, creating it if missing.
    ///
    /// - Parameters:
    ///   - interactions: the interactions CSV.
    ///   - items: the items CSV, if any.
    ///   - users: the users CSV, if any.
    ///   - output: the directory to write into; `rerank validate --logs` and `rerank train --logs` read it.
    /// - Returns: rows read, imported and rejected per file.
    /// - Throws: ``EventLogError`` when a file cannot be read or written, or a CSV lacks a required column.
    public func run(interactions: String, items: String? = nil, users: String? = nil, output: String)
        throws(EventLogError) -> ImportSummary
    {
        // Every header is checked before anything is written, so a bad file fails the import as a whole.
        var interactionTable = try CSVTable(
            path: interactions, required: ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"])
        let itemTable = try items.map { (path) throws(EventLogError) in try CSVTable(path: path, required: ["ITEM_ID"])
        }
        let userTable = try users.map { (path) throws(EventLogError) in try CSVTable(path: path, required: ["USER_ID"])
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreate(output, error.localizedDescription)
        }
        func destination(_ name: String) -> String { (output as NSString).appendingPathComponent(name) }

        let columns = InteractionColumns(interactionTable, objectIDField: configuration.objectIDField)
        var summary = ImportSummary(
            interactions: try convert(&interactionTable, to: destination(Self.eventsFileName)) {
                (fields) throws(RowRejection) in try columns.event(fields)
            },
            outputFiles: [destination(Self.eventsFileName)])
        if var table = itemTable {
            summary.items = try convertMetadata(&table, idColumn: "ITEM_ID", to: destination(Self.itemsFileName))
            summary.outputFiles.append(destination(Self.itemsFileName))
        }
        if var table = userTable {
            summary.users = try convertMetadata(&table, idColumn: "USER_ID", to: destination(Self.usersFileName))
            summary.outputFiles.append(destination(Self.usersFileName))
        }
        return summary
    }

    private func convertMetadata(_ table: inout CSVTable, idColumn: String, to destination: String)
        throws(EventLogError) -> ImportSummary.FileResult
    {
        let columns = MetadataColumns(table, idColumn: idColumn)
        return try convert(&table, to: destination) { (fields) throws(RowRejection) in
            try columns.record(fields, idColumn: idColumn)
        }
    }

    private func convert(
        _ table: inout CSVTable, to destination: String, _ row: ([String]) throws(RowRejection) -> JSONObject
    ) throws(EventLogError) -> ImportSummary.FileResult {
        let file = try AtomicFile(path: destination)
        var result = ImportSummary.FileResult(path: table.path)
        let limit = configuration.rejectionExamples
        while let record = try table.nextRow(into: &result, keeping: limit) {
            let object: JSONObject
            do throws(RowRejection) {
                object = try row(record.fields)
            } catch {
                result.reject(error, line: record.line, keeping: limit)
                continue
            }
            try file.append(object)
            result.imported += 1
        }
        try file.commit()
        return result
    }
}

import ArgumentParser
import EventLog
import Foundation

extension Rerank {
    /// `rerank import`: converts Amazon Personalize datasets into UBI logs and metadata.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import Amazon Personalize interactions, items and users CSVs as UBI logs.",
            discussion: """
                Writes OUTPUT/ubi_events-personalize.ndjson (one ubi_events record per interaction row), plus \
                OUTPUT/items.ndjson and OUTPUT/users.ndjson for --items and --users. Interactions CSV columns: \
                USER_ID, ITEM_ID, TIMESTAMP (epoch seconds), EVENT_TYPE, optional EVENT_VALUE, SESSION_ID, QUERY, \
                IMPRESSION and any context columns (DEVICE, ...). Personalize interactions record no searches, so \
                no ubi_queries are written. Bad rows are skipped and listed with line numbers; the command fails \
                when no interaction row could be imported.
                """
        )

        @Option(help: "Personalize interactions CSV (USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE[,...]).")
        var interactions: String

        @Option(help: "Personalize items CSV (ITEM_ID + metadata columns; multi-valued fields separated by |).")
        var items: String?

        @Option(help: "Personalize users CSV (USER_ID + metadata columns).")
        var users: String?

        @Option(
            help:
                "Directory to write into (created if missing); pass it to rerank validate --logs or rerank train --logs."
        )
        var output: String

        func validate() throws {
            for (flag, path) in [("--interactions", interactions), ("--items", items), ("--users", users)] {
                guard let path else { continue }
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    FileManager.default.isReadableFile(atPath: path)
                else {
                    throw ValidationError(
                        "\(flag) '\(path)' is not a readable file; pass the CSV exported from Amazon Personalize")
                }
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw ValidationError("--output '\(output)' is a file; pass a directory (it is created if missing)")
            }
        }

        func run() throws {
            let summary = try PersonalizeImporter().run(
                interactions: interactions, items: items, users: users, output: output)
            print(summary.text, terminator: "")
            if summary.interactions.imported == 0 {
                FileHandle.standardError.write(
                    Data("No interaction row was imported; fix the rows listed above and run the import again.\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}

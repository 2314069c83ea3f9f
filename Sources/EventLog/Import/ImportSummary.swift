/// What ``PersonalizeImporter`` did with each input file.
public struct ImportSummary: Sendable, Equatable {
    /// What happened to the rows of one CSV file.
    public struct FileResult: Sendable, Equatable {
        /// The CSV file.
        public var path: String
        /// Data rows read (the header excluded).
        public var rowsRead = 0
        /// Rows written to the output.
        public var imported = 0
        /// Rejected rows by reason, e.g. `bad TIMESTAMP`.
        public var rejectedByReason: [String: Int] = [:]
        /// The first rejected rows, with line numbers and details.
        public var rejections: [LogProblem] = []

        public init(path: String) {
            self.path = path
        }

        /// Rows skipped.
        public var rejected: Int { rejectedByReason.values.reduce(0, +) }
    }

    /// The interactions CSV.
    public var interactions: FileResult
    /// The items CSV, when one was given.
    public var items: FileResult?
    /// The users CSV, when one was given.
    public var users: FileResult?
    /// The files written: `ubi_events-personalize.ndjson`, and `items.ndjson` / `users.ndjson` when given.
    public var outputFiles: [String]

    /// Why the output has events only.
    public static let noQueriesNote =
        "Amazon Personalize interactions carry no searches, so no ubi_queries records were written: the events have no query_id and feed item and user statistics (popularity, affinities, recency), not ranked impressions. Log searches through the sidecar to get queries."

    /// A readable summary: per file, rows read, imported and rejected by reason with example lines.
    public var text: String {
        var lines: [String] = []
        for (label, result) in [("interactions", interactions), ("items", items), ("users", users)] {
            guard let result else { continue }
            lines.append(
                "\(label) \(result.path): \(result.rowsRead) rows read, \(result.imported) imported, \(result.rejected) rejected"
            )
            for (reason, count) in result.rejectedByReason.sorted(by: {
                $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key
            }) {
                lines.append("  \(reason): \(count)")
            }
            for rejection in result.rejections {
                lines.append("  - \(rejection)")
            }
            if result.rejected > result.rejections.count {
                lines.append("  - ... \(result.rejected - result.rejections.count) more")
            }
        }
        lines.append("Wrote \(outputFiles.joined(separator: ", ")).")
        lines.append(Self.noQueriesNote)
        return lines.joined(separator: "\n") + "\n"
    }
}

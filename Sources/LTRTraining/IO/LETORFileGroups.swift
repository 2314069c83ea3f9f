import LTRModel

/// What a LETOR / svmlight file's parsed pieces say about the whole file, taken piece by piece in file order:
/// line and row counts, the largest feature index, and the query groups from `qid:` runs.
///
/// The reader feeds it every block of pieces as parsed, so a file is checked the same way whether its rows
/// are kept (``LETORReader/read(path:featureCount:featureNames:threads:)``) or binned as they come
/// (``LETORReader/readBinned(train:valid:parameters:)``).
struct LETORFileGroups {
    /// The file name used in error messages.
    let name: String
    /// Number of data rows so far.
    private(set) var rows = 0
    /// The largest 0-based feature index so far, -1 before any.
    private(set) var maxColumn = -1
    private var lines = 0
    private var rowsWithQid = 0
    private var qidBoundaries = [0]
    private var seenQids = Set<[UInt8]>()
    private var currentQid: [UInt8]?
    // A qid that comes back is an error only if every row has a qid: with some rows lacking one, the file is
    // wrong for that reason instead, and says so at the end.
    private var returningQid: LTRError?

    init(name: String) {
        self.name = name
    }

    /// Takes the next block of pieces, in file order.
    ///
    /// - Throws: `LTRError.malformedInput` naming the file and line of the first bad line.
    mutating func add(_ chunks: [LETORChunk]) throws {
        for chunk in chunks {
            if let failure = chunk.failure {
                throw LTRError.malformedInput(file: name, line: lines + failure.line + 1, failure.message)
            }
            lines += chunk.lineCount
        }
        for chunk in chunks {
            addQidRuns(chunk.qidRuns)
            rows += chunk.labels.count
            maxColumn = max(maxColumn, chunk.maxColumn)
            rowsWithQid += chunk.rowsWithQid
        }
    }

    /// The query boundaries and the number of features, once every piece was added.
    ///
    /// - Parameters:
    ///   - groupSizes: the `.query` file's group sizes, for files without `qid:` fields.
    ///   - featureCount: the schema's number of features, or nil for the largest index in the file.
    /// - Throws: `LTRError` for a file without rows or features, or whose groups are missing or inconsistent.
    func finish(groupSizes: [Int]?, featureCount: Int?) throws -> (queryBoundaries: [Int], featureCount: Int) {
        guard rows > 0 else {
            throw LTRError.emptyDataset("\(name) has no data rows; each line must be `label index:value ...`.")
        }
        let columns = featureCount ?? (maxColumn + 1)
        guard columns > 0 else {
            throw LTRError.emptyDataset("\(name) has no features; give at least one `index:value` pair.")
        }
        if rowsWithQid == rows {
            if let returningQid { throw returningQid }
            return (qidBoundaries, columns)
        }
        guard rowsWithQid == 0 else {
            throw LTRError.missingGroups(
                "\(name): \(rowsWithQid) of \(rows) rows have a qid: field; give qid: on every row or on none."
            )
        }
        guard let groupSizes else {
            throw LTRError.missingGroups(
                "\(name) has no qid: fields and no \(name).query file; add qid:<id> after each label or write "
                    + "the number of rows of each query, one per line, to \(name).query."
            )
        }
        guard groupSizes.reduce(0, +) == rows else {
            throw LTRError.groupMismatch(
                "\(name).query group sizes add up to \(groupSizes.reduce(0, +)) rows but \(name) has \(rows) rows; "
                    + "fix the .query file so its sizes add up to the number of data lines."
            )
        }
        return (groupSizes.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1) }, columns)
    }

    /// Extends the groups with runs of equal `qid:` values, noting a qid that comes back after another one.
    private mutating func addQidRuns(_ runs: [LETORChunk.QidRun]) {
        for run in runs where returningQid == nil {
            if run.qid == currentQid {
                qidBoundaries[qidBoundaries.count - 1] += run.rows
                continue
            }
            guard seenQids.insert(run.qid).inserted else {
                returningQid = LTRError.groupMismatch(
                    "\(name): qid:\(String(decoding: run.qid, as: UTF8.self)) appears again at data row "
                        + "\(qidBoundaries[qidBoundaries.count - 1] + 1) after other queries; rows of one query must be "
                        + "contiguous (sort the file by qid, keeping the row order within each query)."
                )
                return
            }
            currentQid = run.qid
            qidBoundaries.append(qidBoundaries[qidBoundaries.count - 1] + run.rows)
        }
    }
}

import Foundation
import LTRModel

/// Reads ranking data in LETOR / svmlight text form.
///
/// Each line is `label [qid:ID] index:value index:value ... [# comment]`, with 1-based feature indices and
/// absent features meaning 0. Query groups come from the `qid:` fields (rows of a query must be contiguous) or,
/// when the lines have none, from the companion `FILE.query` file holding one group size per line (LightGBM's
/// layout). Files are read a block at a time (``blockSize``), each block parsed on several threads, so the text
/// is never all in memory. ``read(path:featureCount:featureNames:threads:)`` keeps the rows as a dense matrix;
/// ``readBinned(train:valid:parameters:)`` bins them as they come, for training, and keeps only the bins.
///
/// ```swift
/// let train = try LETORReader.read(path: "rank.train")
/// let test = try LETORReader.read(path: "rank.test", featureCount: train.featureCount)
/// let (binnedTrain, binnedTest) = try LETORReader.readBinned(train: "rank.train", valid: "rank.test", parameters: parameters)
/// ```
public enum LETORReader {
    /// Reads a LETOR / svmlight file and its query groups.
    ///
    /// - Parameters:
    ///   - path: the data file. Without `qid:` fields, `path + ".query"` must hold the group sizes.
    ///   - featureCount: the schema's number of features (e.g. the training set's or a model's); columns
    ///     beyond the file's largest index are zero. When `nil`, the largest index in the file decides.
    ///   - featureNames: names for the columns; defaults to `f1`, `f2`, ... after the file's indices.
    ///   - threads: parser threads, 0 for one per processor.
    /// - Throws: `LTRError` naming the file and line of the first bad input.
    public static func read(
        path: String,
        featureCount: Int? = nil,
        featureNames: [String]? = nil,
        threads: Int = 0
    ) throws -> Dataset {
        try read(path: path, featureCount: featureCount, featureNames: featureNames, threads: threads, blockSize: blockSize)
    }

    /// ``read(path:featureCount:featureNames:threads:)`` with `blockSize` bytes read at a time.
    static func read(
        path: String, featureCount: Int?, featureNames: [String]?, threads: Int, blockSize: Int
    ) throws -> Dataset {
        let threadCount = Parallel.threadCount(threads)
        var chunks: [LETORChunk] = []
        var groups = LETORFileGroups(name: path)
        let sizes = try groupSizes(of: path)
        try forEachBlock(path: path, columnLimit: featureCount, threads: threadCount, blockSize: blockSize) { parsed in
            try groups.add(parsed)
            chunks += parsed
        }
        return try assemble(
            chunks, groups: groups, groupSizes: sizes, featureCount: featureCount, featureNames: featureNames,
            threads: threadCount)
    }

    /// Reads a file a block at a time and hands over each block's parsed pieces, in order; reading ends at the
    /// end of the file or after the block with the first bad line (which `body` reports).
    ///
    /// - Parameter columnLimit: the schema's number of features, nil for no limit.
    static func forEachBlock(
        path: String, columnLimit: Int?, threads: Int, blockSize: Int, _ body: ([LETORChunk]) throws -> Void
    ) throws {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw LTRError.unreadableFile(path, reason: error.localizedDescription)
        }
        defer { try? handle.close() }
        let limit = columnLimit ?? Int(Int32.max)
        // The lines read so far: whole lines are parsed, a partial last line waits for the next block.
        var pending: [UInt8] = []
        var done = false
        while !done {
            let block: Data?
            do {
                block = try handle.read(upToCount: blockSize)
            } catch {
                throw LTRError.unreadableFile(path, reason: error.localizedDescription)
            }
            let atEnd = block?.isEmpty ?? true
            if let block { pending.append(contentsOf: block) }
            guard let lastLine = atEnd ? pending.indices.last : pending.lastIndex(of: UInt8(ascii: "\n")) else {
                if atEnd { break }
                continue
            }
            let parsed = parseChunks(pending[...lastLine], columnLimit: limit, threads: threads)
            pending.removeSubrange(...lastLine)
            done = atEnd || parsed.contains { $0.failure != nil }
            try body(parsed)
        }
    }

    /// The group sizes of `path + ".query"`, or nil when there is no such file.
    static func groupSizes(of path: String) throws -> [Int]? {
        let queryPath = path + ".query"
        return FileManager.default.fileExists(atPath: queryPath) ? try readGroupSizes(path: queryPath) : nil
    }

    /// Bytes read and parsed at a time.
    static let blockSize = 64 << 20

    /// Parses LETOR / svmlight text already in memory.
    ///
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - name: the file name used in error messages.
    ///   - groupSizes: group sizes for files without `qid:` fields (ignored when the lines carry `qid:`).
    ///   - featureCount: the schema's number of features, or `nil` to take the largest index in the data.
    ///   - featureNames: names for the columns.
    ///   - threads: parser threads, 0 for one per processor.
    /// - Throws: `LTRError` naming the file and line of the first bad input.
    public static func parse(
        _ data: Data,
        name: String,
        groupSizes: [Int]? = nil,
        featureCount: Int? = nil,
        featureNames: [String]? = nil,
        threads: Int = 0
    ) throws -> Dataset {
        let threadCount = Parallel.threadCount(threads)
        let chunks = parseChunks([UInt8](data)[...], columnLimit: featureCount ?? Int(Int32.max), threads: threadCount)
        var groups = LETORFileGroups(name: name)
        try groups.add(chunks)
        return try assemble(
            chunks, groups: groups, groupSizes: groupSizes, featureCount: featureCount, featureNames: featureNames,
            threads: threadCount)
    }

    /// Parses whole lines, in pieces on several threads; the pieces in order.
    private static func parseChunks(_ text: ArraySlice<UInt8>, columnLimit: Int, threads: Int) -> [LETORChunk] {
        text.withUnsafeBufferPointer { bytes in
            let pieces = chunkRanges(bytes, pieces: bytes.count < 1 << 20 ? 1 : threads * 4)
            var results = [LETORChunk?](repeating: nil, count: pieces.count)
            results.withUnsafeMutableBufferPointer { slots in
                let output = UncheckedBox(slots)
                Parallel.forEach(pieces.count, threads: threads) { index in
                    output.value[index] = LETORChunk(bytes: bytes, range: pieces[index], columnLimit: columnLimit)
                }
            }
            return results.map { $0! }
        }
    }

    /// Reads a LightGBM `.query` file: one positive group size per line.
    ///
    /// - Throws: `LTRError` naming the line of a bad size.
    public static func readGroupSizes(path: String) throws -> [Int] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LTRError.unreadableFile(path, reason: "no such file or not readable")
        }
        var sizes: [Int] = []
        let text = String(decoding: data, as: UTF8.self)
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let size = Int(trimmed), size > 0 else {
                throw LTRError.malformedInput(
                    file: path,
                    line: index + 1,
                    "'\(trimmed)' is not a group size; each line must hold one positive integer (rows in the query)."
                )
            }
            sizes.append(size)
        }
        return sizes
    }

    /// Cuts the buffer into pieces that end just after a newline.
    private static func chunkRanges(_ bytes: UnsafeBufferPointer<UInt8>, pieces: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for piece in 1...pieces {
            var end = piece == pieces ? bytes.count : max(start, bytes.count * piece / pieces)
            while end < bytes.count && end > 0 && bytes[end - 1] != UInt8(ascii: "\n") { end += 1 }
            if end > start {
                ranges.append(start..<end)
                start = end
            }
        }
        return ranges.isEmpty ? [0..<0] : ranges
    }

    /// The dense data set of a whole file's pieces, already checked by `groups`.
    private static func assemble(
        _ chunks: [LETORChunk],
        groups: LETORFileGroups,
        groupSizes: [Int]?,
        featureCount: Int?,
        featureNames: [String]?,
        threads: Int
    ) throws -> Dataset {
        let (boundaries, columns) = try groups.finish(groupSizes: groupSizes, featureCount: featureCount)
        var rowStarts: [Int] = []
        var rows = 0
        for chunk in chunks {
            rowStarts.append(rows)
            rows += chunk.labels.count
        }
        var matrix = [Float](repeating: 0, count: rows * columns)
        let labels = chunks.flatMap(\.labels)
        matrix.withUnsafeMutableBufferPointer { output in
            let target = UncheckedBox(output)
            Parallel.forEach(chunks.count, threads: threads) { index in
                chunks[index].scatter(into: target.value, firstRow: rowStarts[index], featureCount: columns)
            }
        }
        return try Dataset(
            features: matrix,
            featureCount: columns,
            labels: labels,
            queryBoundaries: boundaries,
            featureNames: featureNames
        )
    }
}

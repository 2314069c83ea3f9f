import LTRModel

/// Which rows belong to which leaf of the tree being grown.
///
/// All in-bag rows live in one index array; each leaf owns a contiguous, increasing slice of it. Splitting a
/// leaf partitions its slice stably: rows going left first, then rows going right.
final class DataPartition {
    private(set) var indices: [Int32]
    private var scratch: [Int32]
    private var begins: [Int]
    private var counts: [Int]
    private let chunkSize = 1 << 16

    init(rowCapacity: Int, leafCapacity: Int) {
        indices = []
        indices.reserveCapacity(rowCapacity)
        scratch = [Int32](repeating: 0, count: rowCapacity)
        begins = [Int](repeating: 0, count: leafCapacity)
        counts = [Int](repeating: 0, count: leafCapacity)
    }

    /// Starts a tree with every row of `rows` (increasing) in leaf 0.
    func reset(rows: [Int32]) {
        indices = rows
        begins[0] = 0
        counts[0] = rows.count
    }

    /// Number of rows in `leaf`.
    func count(of leaf: Int) -> Int { counts[leaf] }

    /// Calls `body` with the row indices of `leaf`.
    func withRows<Result>(of leaf: Int, _ body: (UnsafeBufferPointer<Int32>) -> Result) -> Result {
        indices.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[begins[leaf]..<(begins[leaf] + counts[leaf])]))
        }
    }

    /// Splits `leaf`: rows whose bin in `column` is `<= thresholdBin` stay in `leaf`, the others move
    /// to `newLeaf`. Large leaves are partitioned in fixed-size chunks on several threads.
    ///
    /// - Returns: the number of rows that went left.
    @discardableResult
    func split(
        leaf: Int,
        into newLeaf: Int,
        column: UnsafePointer<UInt8>,
        thresholdBin: UInt8,
        threads: Int
    ) -> Int {
        let begin = begins[leaf]
        let total = counts[leaf]
        let chunks = Parallel.ranges(total, pieces: max(1, (total + chunkSize - 1) / chunkSize))
        var leftCounts = [Int](repeating: 0, count: chunks.count)
        indices.withUnsafeMutableBufferPointer { indices in
            scratch.withUnsafeMutableBufferPointer { scratch in
                leftCounts.withUnsafeMutableBufferPointer { leftCounts in
                    let context = UncheckedBox((indices, scratch, leftCounts))
                    Parallel.forEach(chunks.count, threads: threads) { chunk in
                        let (indices, scratch, leftCounts) = context.value
                        var left = begin + chunks[chunk].lowerBound
                        var right = begin + chunks[chunk].upperBound
                        // Left rows fill the chunk's slice of `scratch` from the front, right rows from the back.
                        for position in (begin + chunks[chunk].lowerBound)..<(begin + chunks[chunk].upperBound) {
                            let row = indices[position]
                            if column[Int(row)] <= thresholdBin {
                                scratch[left] = row
                                left += 1
                            } else {
                                right -= 1
                                scratch[right] = row
                            }
                        }
                        leftCounts[chunk] = left - (begin + chunks[chunk].lowerBound)
                    }
                }
                // Gather: every chunk's left rows in order, then every chunk's right rows in order.
                var output = begin
                for (chunk, range) in chunks.enumerated() {
                    let start = begin + range.lowerBound
                    for position in start..<(start + leftCounts[chunk]) {
                        indices[output] = scratch[position]
                        output += 1
                    }
                }
                for (chunk, range) in chunks.enumerated() {
                    let start = begin + range.lowerBound + leftCounts[chunk]
                    var position = begin + range.upperBound
                    while position > start {
                        position -= 1
                        indices[output] = scratch[position]
                        output += 1
                    }
                }
            }
        }
        let leftTotal = leftCounts.reduce(0, +)
        begins[newLeaf] = begin + leftTotal
        counts[newLeaf] = total - leftTotal
        counts[leaf] = leftTotal
        return leftTotal
    }
}

import Foundation
import LTRModel

/// Rows in sparse form written to an unlinked temporary file and read back in the order written, so that rows
/// waiting to be binned take disk (or page cache) rather than process memory.
///
/// The file lives in `TMPDIR` (or `/tmp`) and is unlinked as soon as it is created: it disappears when the
/// spill is released, even if the process dies. Each ``append(_:)`` writes one block of rows; ``rewind()``
/// then ``next()`` give the blocks back one at a time.
///
/// ```swift
/// let spill = try SpillFile()
/// try spill.append(block)
/// try spill.rewind()
/// while let block = try spill.next() { ... }
/// ```
final class SpillFile {
    private let descriptor: Int32

    /// Creates and unlinks the temporary file.
    ///
    /// - Throws: `LTRError.unreadableFile` when no temporary file can be created.
    init() throws {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/rerank-rows.XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard descriptor >= 0 else {
            throw LTRError.unreadableFile(path, reason: "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        unlink(path)
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Writes one block of rows at the end of the file.
    func append(_ block: SparseRows) throws {
        let header = [block.rowEnds.count, block.columns.count]
        try writeAll(header)
        try writeAll(block.rowEnds)
        try writeAll(block.columns)
        try writeAll(block.values)
    }

    /// Goes back to the first block.
    func rewind() throws {
        guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw failure("seek") }
    }

    /// The next block, or nil after the last one.
    func next() throws -> SparseRows? {
        let header: [Int] = try readAll(2, allowEnd: true)
        guard header.count == 2 else { return nil }
        return SparseRows(rowEnds: try readAll(header[0]), columns: try readAll(header[1]), values: try readAll(header[1]))
    }

    private func writeAll<Element>(_ array: [Element]) throws {
        try array.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                guard written > 0 else { throw failure("write") }
                offset += written
            }
        }
    }

    /// Reads `count` elements; with `allowEnd`, an empty array at the end of the file.
    private func readAll<Element>(_ count: Int, allowEnd: Bool = false) throws -> [Element] {
        try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            let bytes = UnsafeMutableRawBufferPointer(buffer)
            var offset = 0
            while offset < bytes.count {
                let got = read(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if got == 0 && offset == 0 && allowEnd { break }
                guard got > 0 else { throw failure("read") }
                offset += got
            }
            initialized = offset == 0 ? 0 : count
        }
    }

    private func failure(_ operation: String) -> LTRError {
        LTRError.unreadableFile(
            "the temporary rows file", reason: "\(operation) failed: \(String(cString: strerror(errno))); check the space in TMPDIR")
    }
}

/// A block of rows in sparse form: row `r`'s entries are `rowEnds[r - 1]..<rowEnds[r]` (from 0 for the first
/// row) of `columns` (0-based feature numbers) and `values`. Absent features are 0.
struct SparseRows: Equatable {
    var rowEnds: [Int] = []
    var columns: [Int32] = []
    var values: [Float] = []

    /// Number of rows.
    var rowCount: Int { rowEnds.count }

    /// The entries of row `row`.
    func entries(of row: Int) -> Range<Int> {
        (row == 0 ? 0 : rowEnds[row - 1])..<rowEnds[row]
    }
}

import Foundation
import RerankJSON
import Synchronization

extension ClusterLogReader {
    /// Writes both indices to `directory` for a replay that streams files: one subdirectory per slice
    /// (`slice-0`, `slice-1`, … up to ``Options/slices``), each holding its slice's `ubi_queries.ndjson` and
    /// `ubi_events.ndjson`, one document per line in timestamp order.
    ///
    /// Each index is read in a point in time, its slices side by side, each slice paged with `search_after` and
    /// written by its own task to its own file: memory holds a page per slice. The slices are separate
    /// time-ordered series; `InteractionLogStream` merges them by time. An index the cluster lacks, or a slice
    /// without documents, writes no file.
    ///
    /// ```swift
    /// let slices = try await ClusterLogReader(cluster: cluster).download(to: directory)
    /// var records = try LogFileRecords(slices)
    /// ```
    ///
    /// - Returns: the slice directories holding a file, in slice order (none when both indices are empty).
    /// - Throws: ``ClusterReadError`` when the cluster cannot be read, holds neither UBI index, or a file cannot
    ///   be written.
    public func download(to directory: String) async throws(ClusterReadError) -> [String] {
        let slices = (0..<max(1, options.slices)).map { (directory as NSString).appendingPathComponent("slice-\($0)") }
        var found = false
        for index in [Self.queriesIndex, Self.eventsIndex] {
            let files = slices.map { SliceFile(($0 as NSString).appendingPathComponent(index + ".ndjson")) }
            defer { for file in files { file.close() } }
            let exists = try await scan(index, after: nil, until: nil, slices: slices.count) { slice, page throws(ClusterReadError) in
                try files[slice].write(page)
            }
            found = found || exists
        }
        guard found else { throw noIndices() }
        return slices.filter { FileManager.default.fileExists(atPath: $0) }
    }
}

/// One slice's share of one index as an NDJSON file, created (with its directory) at the slice's first document
/// and written by that slice's task alone; the lock, never contended, only makes the handle `Sendable`.
private final class SliceFile: Sendable {
    let path: String
    private let handle = Mutex<FileHandle?>(nil)

    init(_ path: String) {
        self.path = path
    }

    /// Appends the page's documents, one per line.
    func write(_ page: [ClusterDocument]) throws(ClusterReadError) {
        guard !page.isEmpty else { return }
        var lines: [UInt8] = []
        for document in page {
            JSONWriter.write(.object(document.source), into: &lines)
            lines.append(UInt8(ascii: "\n"))
        }
        try handle.withLock { opened throws(ClusterReadError) in
            let file = if let opened { opened } else { try create() }
            opened = file
            do {
                try file.write(contentsOf: lines)
            } catch {
                throw .cannotWrite(path: path, reason: error.localizedDescription)
            }
        }
    }

    func close() {
        handle.withLock { handle in
            try? handle?.close()
            handle = nil
        }
    }

    private func create() throws(ClusterReadError) -> FileHandle {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(path: directory, reason: error.localizedDescription)
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw .cannotWrite(path: path, reason: "the file cannot be created")
        }
        return file
    }
}

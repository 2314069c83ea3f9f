import Dispatch
import Foundation
import RerankJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files behind a ``ClusterLogSink``: the spool files its writer fills (`<prefix>-*.ndjson`, shipped in name
/// order) and the cursor (`<prefix>.cursor`) that says how far the file being shipped has reached the cluster.
///
/// Every spool file other than the cursor's is wholly unshipped: a shipped file is deleted before the shipper
/// moves on. Blocking file work runs on a queue of its own, off the cooperative pool.
///
/// ```swift
/// let spool = Spool(directory: "/var/lib/rerank/spool", prefix: "spool_ubi_events")
/// let batch = try await spool.read(name, from: 0, maxRecords: 1000, maxBytes: 5 << 20)
/// try await spool.saveCursor(.init(file: name, offset: batch.end))
/// ```
final class Spool: Sendable {
    /// How far one spool file has been shipped.
    struct Cursor: Sendable {
        /// The spool file's name (not its path).
        var file: String
        /// The byte offset of the first record not yet shipped.
        var offset: Int
    }

    /// Whole records read from a spool file.
    struct Batch: Sendable {
        /// Each record's bytes, without the newline.
        var lines: [[UInt8]] = []
        /// The offset just past the last record read.
        var end: Int
        /// Bytes after the last newline at the end of the file: a record still being written, or one torn by a
        /// crash before its append returned (never acknowledged).
        var trailingBytes = 0
    }

    let directory: String
    let prefix: String
    private let queue: DispatchQueue

    init(directory: String, prefix: String) {
        self.directory = directory
        self.prefix = prefix
        self.queue = DispatchQueue(label: "rerank.spool.\(prefix)")
    }

    var cursorPath: String { path("\(prefix).cursor") }

    /// The full path of a file in the spool directory.
    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// The spool files' names, in the order they are shipped.
    func files() async throws(ClusterLogError) -> [String] {
        try await onQueue { () throws(ClusterLogError) in try self.listFiles() }
    }

    /// Reads up to `maxRecords` whole records, about `maxBytes` at most, from `offset` of spool file `name` (one
    /// record longer than `maxBytes` is still read whole).
    func read(_ name: String, from offset: Int, maxRecords: Int, maxBytes: Int) async throws(ClusterLogError) -> Batch {
        try await onQueue { () throws(ClusterLogError) in
            try self.readRecords(self.path(name), from: offset, maxRecords: maxRecords, maxBytes: maxBytes)
        }
    }

    /// The saved cursor; nil when none is saved or it cannot be read (shipping then starts at the first file,
    /// and deterministic ids keep records already in the cluster from being stored twice).
    func loadCursor() -> Cursor? {
        guard let data = FileManager.default.contents(atPath: cursorPath),
            let object = try? JSONParser.parse(Array(data)).objectValue,
            let file = object["file"]?.stringValue, let offset = object["offset"]?.intValue, offset >= 0
        else { return nil }
        return Cursor(file: file, offset: offset)
    }

    /// Saves the cursor durably: written to a temporary file, fsync'd, renamed over the old one.
    func saveCursor(_ cursor: Cursor) async throws(ClusterLogError) {
        let bytes = JSONWriter.bytes(.object(JSONObject(["file": .string(cursor.file), "offset": .int(cursor.offset)])))
        try await onQueue { () throws(ClusterLogError) in
            let temporary = self.cursorPath + ".tmp"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw self.failure(temporary, "open") }
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
            let synced = written == bytes.count && fsync(descriptor) == 0
            let code = errno
            _ = close(descriptor)
            guard synced else { throw ClusterLogError.spool(temporary, "write: \(String(cString: strerror(code)))") }
            guard rename(temporary, self.cursorPath) == 0 else { throw self.failure(self.cursorPath, "rename") }
            try self.syncDirectory()
        }
    }

    /// Deletes a wholly shipped spool file and the cursor that pointed into it.
    func finish(_ name: String) async throws(ClusterLogError) {
        try await onQueue { () throws(ClusterLogError) in
            guard unlink(self.path(name)) == 0 || errno == ENOENT else { throw self.failure(self.path(name), "unlink") }
            guard unlink(self.cursorPath) == 0 || errno == ENOENT else { throw self.failure(self.cursorPath, "unlink") }
            try self.syncDirectory()
        }
    }

    /// Bytes spooled and not yet shipped.
    func backlogBytes(after cursor: Cursor?) async -> Int {
        (try? await onQueue { () throws(ClusterLogError) -> Int in
            var total = 0
            for name in try self.listFiles() {
                var status = stat()
                guard stat(self.path(name), &status) == 0 else { continue }
                total += Int(status.st_size) - (name == cursor?.file ? cursor?.offset ?? 0 : 0)
            }
            return max(0, total)
        }) ?? 0
    }

    private func listFiles() throws(ClusterLogError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .spool(directory, error.localizedDescription)
        }
        return names.filter { $0.hasPrefix(prefix + "-") && $0.hasSuffix(".ndjson") }.sorted()
    }

    private func readRecords(_ path: String, from offset: Int, maxRecords: Int, maxBytes: Int) throws(ClusterLogError) -> Batch {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, "open") }
        defer { _ = close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(path, "fstat") }
        let available = max(0, Int(status.st_size) - offset)
        var bytes = try readBytes(descriptor, path, at: offset, count: min(available, maxBytes))
        // One record longer than `maxBytes`: read on until its newline.
        while bytes.count < available, !bytes.contains(UInt8(ascii: "\n")) {
            let more = try readBytes(descriptor, path, at: offset + bytes.count, count: min(available - bytes.count, max(bytes.count, 4096)))
            guard !more.isEmpty else { break }
            bytes += more
        }
        var batch = Batch(end: offset)
        var lineStart = 0
        for (position, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            let line = bytes[lineStart..<position]
            lineStart = position + 1
            batch.end = offset + lineStart
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { batch.lines.append(Array(line)) }
            if batch.lines.count == maxRecords || lineStart >= maxBytes { return batch }
        }
        if bytes.count == available { batch.trailingBytes = bytes.count - lineStart }
        return batch
    }

    /// Up to `count` bytes at `position`; fewer only at the end of the file.
    private func readBytes(_ descriptor: Int32, _ path: String, at position: Int, count: Int) throws(ClusterLogError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let read = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(position + filled))
            }
            if read < 0 {
                if errno == EINTR { continue }
                throw failure(path, "read")
            }
            if read == 0 { break }
            filled += read
        }
        bytes.removeLast(count - filled)
        return bytes
    }

    private func syncDirectory() throws(ClusterLogError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(directory, "open") }
        defer { _ = close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure(directory, "fsync") }
    }

    private func failure(_ path: String, _ call: String) -> ClusterLogError {
        .spool(path, "\(call): \(String(cString: strerror(errno)))")
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws(ClusterLogError) -> T) async throws(ClusterLogError) -> T {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, ClusterLogError>, Never>) in
            queue.async { continuation.resume(returning: Result { () throws(ClusterLogError) in try body() }) }
        }
        return try result.get()
    }
}

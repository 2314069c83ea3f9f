import Foundation
import RerankJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file (NDJSON records, or any text) written in 1 MiB chunks under a hidden temporary name and renamed into
/// place once complete and synced, so a large output never sits whole in memory and a reader never sees half of
/// it (log readers skip hidden files). A file not committed is removed.
public final class AtomicFile {
    /// The final path.
    public let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    /// Records written so far.
    public private(set) var records = 0

    public init(path: String) throws(EventLogError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        temporaryPath = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).tmp")
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .cannotWrite(temporaryPath, SystemError.open(errno: errno).description)
        }
    }

    deinit {
        if descriptor >= 0 {
            _ = close(descriptor)
            _ = unlink(temporaryPath)
        }
    }

    /// Adds one record as a line.
    public func append(_ record: JSONObject) throws(EventLogError) {
        JSONWriter.write(.object(record), into: &buffer)
        buffer.append(UInt8(ascii: "\n"))
        records += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Adds text as it is.
    public func append(text: String) throws(EventLogError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes what is buffered, syncs, and renames the file into place.
    public func commit() throws(EventLogError) {
        try flush()
        guard fsync(descriptor) == 0 else { throw failure(.fsync(errno: errno)) }
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else {
            let error = failure(.close(errno: errno))
            _ = unlink(temporaryPath)
            throw error
        }
        guard rename(temporaryPath, path) == 0 else {
            let error = EventLogError.cannotWrite(path, SystemError.rename(errno: errno).description)
            _ = unlink(temporaryPath)
            throw error
        }
        do throws(SystemError) {
            try LogFileSink.syncDirectory((path as NSString).deletingLastPathComponent)
        } catch {
            throw .cannotWrite(path, error.description)
        }
    }

    private func flush() throws(EventLogError) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure(.write(errno: errno))
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func failure(_ error: SystemError) -> EventLogError {
        .cannotWrite(temporaryPath, error.description)
    }
}

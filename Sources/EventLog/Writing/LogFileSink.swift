import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The blocking half of ``NDJSONLogWriter``: owns the open log file, writes batches, fsyncs and rotates.
///
/// Called from the writer's dispatch queue, one batch at a time; the mutex makes that ownership explicit.
final class LogFileSink: Sendable {
    /// What one batch cost in syscalls, for the writer's statistics.
    struct Report: Sendable {
        var fileSyncs = 0
        var directorySyncs = 0
        var filesCreated = 0
    }

    private struct State {
        var descriptor: Int32 = -1
        var path = ""
        var size = 0
        var openedAt = Date.distantPast
        var sequence = 0
    }

    private let directory: String
    private let prefix: String
    private let maxFileBytes: Int
    private let maxFileAge: TimeInterval
    private let state = Mutex(State())
    /// The open file's path, kept apart from `state` so reading it never waits for a write and fsync in flight.
    private let openPath = Mutex<String?>(nil)

    init(directory: String, prefix: String, maxFileBytes: Int, maxFileAge: TimeInterval) {
        self.directory = directory
        self.prefix = prefix
        self.maxFileBytes = maxFileBytes
        self.maxFileAge = maxFileAge
    }

    /// Writes `bytes` (whole lines) to the current file and fsyncs it, first rotating to a new file when the
    /// current one is full or old. On any failure the current file is abandoned (cut back to its last synced
    /// size where possible) so the next batch starts a fresh file.
    func writeBatch(_ bytes: [UInt8], now: Date) throws(EventLogError) -> Report {
        try state.withLock { (state) throws(EventLogError) -> Report in
            var report = Report()
            let full = state.size > 0 && state.size + bytes.count > maxFileBytes
            if state.descriptor >= 0, full || now.timeIntervalSince(state.openedAt) >= maxFileAge {
                closeFile(&state)
            }
            if state.descriptor < 0 {
                try createFile(&state, now: now)
                report.filesCreated = 1
                report.directorySyncs = 1
            }
            do throws(SystemError) {
                try writeAll(bytes, to: state.descriptor)
                guard fsync(state.descriptor) == 0 else { throw .fsync(errno: errno) }
                report.fileSyncs = 1
            } catch {
                _ = ftruncate(state.descriptor, off_t(state.size))
                let path = state.path
                closeFile(&state)
                throw .writeFailed(path, error.description)
            }
            state.size += bytes.count
            return report
        }
    }

    /// Closes the current file; every batch was already synced.
    func closeCurrentFile() {
        state.withLock { closeFile(&$0) }
    }

    /// The path of the open file, which later batches go to until it rotates; nil when no file is open.
    var currentPath: String? { openPath.withLock { $0 } }

    private func createFile(_ state: inout State, now: Date) throws(EventLogError) {
        let stamp = UBITimestamp.compactString(from: now)
        while true {
            state.sequence += 1
            let number = String(state.sequence)
            let name = "\(prefix)-\(stamp)-\(String(repeating: "0", count: max(0, 6 - number.count)))\(number).ndjson"
            let path = (directory as NSString).appendingPathComponent(name)
            // Published before the file exists, so a tailing reader never sees it on disk without knowing it is
            // the one still being written.
            openPath.withLock { $0 = path }
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
            if descriptor < 0 {
                let code = errno
                if code == EEXIST { continue }
                openPath.withLock { $0 = nil }
                throw .cannotCreate(path, SystemError.open(errno: code).description)
            }
            state.descriptor = descriptor
            state.path = path
            state.size = 0
            state.openedAt = now
            break
        }
        do throws(SystemError) {
            try Self.syncDirectory(directory)
        } catch {
            let path = state.path
            closeFile(&state)
            throw .cannotCreate(path, error.description)
        }
    }

    private func closeFile(_ state: inout State) {
        guard state.descriptor >= 0 else { return }
        _ = close(state.descriptor)
        state.descriptor = -1
        openPath.withLock { $0 = nil }
    }

    private func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .write(errno: errno)
            }
            offset += written
        }
    }

    /// Makes a new directory entry durable: without this a crash can lose the file even though its data was
    /// synced.
    static func syncDirectory(_ path: String) throws(SystemError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .open(errno: errno) }
        defer { _ = close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .fsync(errno: errno) }
    }
}

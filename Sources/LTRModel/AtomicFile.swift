import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files written whole or not at all, as `Data.write(to:options: .atomic)` writes them, but from pieces that are
/// never joined into one buffer.
///
/// ```swift
/// try AtomicFile.store([header, body], at: "model.json")
/// ```
enum AtomicFile {
    /// Writes `pieces` one after another to a new file beside `path`, flushes it to disk and renames it to `path`:
    /// a reader, such as the server's model watcher, sees the old file or the whole new one, never a part.
    ///
    /// - Throws: `LTRError.unwritableFile` naming the system call that failed; the new file is removed.
    static func store(_ pieces: [Data], at path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        func failure(_ call: String, _ code: Int32 = errno) -> LTRError {
            .unwritableFile(path, reason: "\(call): \(String(cString: strerror(code)))")
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw failure("open") }
        var isOpen = true
        var stored = false
        defer {
            if isOpen { close(descriptor) }
            if !stored { unlink(temporary) }
        }
        for piece in pieces {
            try piece.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    guard written >= 0 else {
                        if errno == EINTR { continue }
                        throw failure("write")
                    }
                    offset += written
                }
            }
        }
        guard fsync(descriptor) == 0 else { throw failure("fsync") }
        isOpen = false
        guard close(descriptor) == 0 else { throw failure("close") }
        guard rename(temporary, path) == 0 else { throw failure("rename") }
        stored = true
    }
}

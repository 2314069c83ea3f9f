import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A text file written in 1 MiB chunks under a hidden temporary name beside its path and renamed into place
/// once complete, so a large output never sits whole in memory and a reader never sees half of it. An output
/// not committed is removed.
final class OutputFile {
    let path: String
    private let temporaryPath: String
    private var handle: FileHandle?
    private var buffer = Data()

    /// Opens the temporary file.
    /// - Throws: ``OutputFileError`` when the directory cannot be written.
    init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp").path
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporaryPath)
        else {
            throw OutputFileError(path: path, reason: "cannot create the temporary file \(temporaryPath)")
        }
        self.handle = handle
    }

    deinit {
        if let handle {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporaryPath)
        }
    }

    /// Appends `text`.
    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes what is buffered and renames the file into place.
    func commit() throws {
        try flush()
        try handle?.close()
        handle = nil
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw OutputFileError(path: path, reason: "cannot rename \(temporaryPath) to it: \(reason)")
        }
    }

    private func flush() throws {
        try handle?.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// An output that could not be written, and why.
struct OutputFileError: Error, CustomStringConvertible {
    let path: String
    let reason: String

    var description: String { "cannot write \(path): \(reason); check that its directory exists and is writable" }
}

import Foundation

/// Locates the project's shared data: the `shared` directory beside the package root (../shared/data).
enum SharedData {
    /// `…/shared/data/lambdarank-example`, found by walking up from this file to a directory with a
    /// sibling `shared`.
    static var lambdarankExample: String? {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.deletingLastPathComponent()
                .appendingPathComponent("shared/data/lambdarank-example")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("rank.train").path) {
                return candidate.path
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}

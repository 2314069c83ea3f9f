import Foundation
import RerankConfiguration

@testable import RerankServer

extension ServerConfiguration {
    /// The configuration a `--config` file with this text gives.
    static func loaded(_ text: String) throws -> ServerConfiguration {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-config-\(UUID()).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = ServerConfiguration()
        try configuration.apply(configFile: path)
        return configuration
    }
}

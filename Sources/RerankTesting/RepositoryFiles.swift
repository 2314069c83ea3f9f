import Foundation

/// Paths of files the repository ships (mappings, sample catalog) and of the shared data beside it.
public enum RepositoryFiles {
    /// The repository root, found from this source file's location.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var productsMapping: URL { root.appendingPathComponent("mappings/products.json") }
    public static var sampleCatalog: URL { root.appendingPathComponent("sample/catalog.ndjson") }

    /// `../shared/data` beside the checkout (LightGBM's example, the UBI sample), when present.
    public static var sharedData: URL { root.deletingLastPathComponent().appendingPathComponent("shared/data") }
}

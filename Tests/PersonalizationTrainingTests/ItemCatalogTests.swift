import Features
import Foundation
import RerankJSON
import Testing

@testable import PersonalizationTraining

/// The items and users files: catalog attributes, declared values by dotted path, and bad lines named.
@Suite struct ItemCatalogTests {
    static let declared = try! DeclaredFeatures([
        FeatureDeclaration(name: "rating", source: .item, field: "stats.rating", kind: .numeric),
        FeatureDeclaration(name: "material", source: .item, field: "material", kind: .categorical),
        FeatureDeclaration(name: "segment", source: .user, field: "profile.segment", kind: .categorical),
    ])

    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID()).ndjson").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func declaredItemValuesAreReadByDottedPath() throws {
        let path = try file("""
              {"id": "a", "category": "shoes", "stats": {"rating": 4.5}, "material": "wool"}\r
            {"id": "b", "stats.rating": 3}

            {"_id": "c", "brand": "acme"}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let items = try ItemCatalog.read(path, declared: Self.declared)
        #expect(items.keys.sorted() == ["a", "b", "c"])
        #expect(items["a"]?.category == "shoes")
        let expected = { (fields: SourceFields) in Self.declared.values(of: .item, in: fields) }
        #expect(items["a"]?.declared == expected(["stats.rating": .number("4.5"), "material": .string("wool")]))
        #expect(items["b"]?.declared == expected(["stats.rating": .number("3")]), "a dotted key at the top level")
        #expect(items["c"]?.declared == expected([:]))
        #expect(try ItemCatalog.read(path)["a"]?.declared == [], "nothing declared, nothing read")
    }

    @Test func declaredUserValuesComeFromTheUsersFile() throws {
        let path = try file(#"{"id": "u1", "profile": {"segment": "pro"}}"# + "\n" + #"{"id": "u2"}"# + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let users = try ItemCatalog.readUsers(path, declared: Self.declared)
        #expect(users["u1"] == Self.declared.values(of: .user, in: ["profile.segment": .string("pro")]))
        #expect(users["u2"] == Self.declared.values(of: .user, in: [:]))
    }

    @Test func badLinesAreNamedByFileAndLine() throws {
        let path = try file(#"{"id": "a"}"# + "\n" + #"{"name": "no id"}"# + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ItemCatalogError.missingID(path, line: 2)) { try ItemCatalog.read(path) }
        #expect(throws: ItemCatalogError.missingID(path, line: 2)) { try ItemCatalog.readUsers(path, declared: Self.declared) }
        #expect(throws: ItemCatalogError.unreadableFile("/nonexistent", kind: "users")) {
            try ItemCatalog.readUsers("/nonexistent", declared: Self.declared)
        }
    }
}

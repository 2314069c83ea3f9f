import Foundation
import RerankCore
import RerankJSON
import Testing

@testable import Features

/// Declared item, user and context features: parsing, values, point-in-time statistics and snapshots.
@Suite struct DeclaredFeatureTests {
    static let declared = try! DeclaredFeatures([
        FeatureDeclaration(name: "rating", source: .item, field: "stats.rating", kind: .numeric),
        FeatureDeclaration(name: "age", source: .item, field: "released", kind: .ageDays),
        FeatureDeclaration(name: "material", source: .item, field: "material", kind: .categorical),
        FeatureDeclaration(name: "segment", source: .user, field: "segment", kind: .categorical),
        FeatureDeclaration(name: "loyalty", source: .user, field: "loyalty_years", kind: .numeric),
        FeatureDeclaration(name: "channel", source: .context, field: "channel", kind: .categorical),
        FeatureDeclaration(name: "basket", source: .context, field: "basket_value", kind: .numeric),
    ])

    /// A declared column's value in row `row`.
    func value(_ column: String, _ rows: [Float], row: Int = 0, store: FeatureStore) -> Float {
        rows[row * store.rowWidth + store.featureNames.firstIndex(of: column)!]
    }

    func item(_ fields: [String: JSONValue]) -> [UInt64] {
        var values = SourceFields(paths: Self.declared.fields(of: .item))
        for (path, value) in fields { values[path] = value }
        return Self.declared.values(of: .item, in: values)
    }

    func context(at time: Double, user: String = "u", channel: String? = nil, basket: String? = nil) -> FeatureContext {
        var attributes: [String: String] = [:]
        attributes["channel"] = channel
        attributes["basket_value"] = basket
        return FeatureContext(
            time: time, userID: user, sessionID: "s", device: .desktop, localTime: LocalTime(hour: 12, weekday: 3), query: "shoe",
            attributes: attributes)
    }

    func impression(_ id: String, _ items: [String], at time: Double, user: String = "u", channel: String? = nil) -> LoggedImpression {
        LoggedImpression(
            queryID: id, time: time, userID: user, sessionID: "s", device: .desktop, localTime: LocalTime(hour: 12, weekday: 3),
            query: "shoe", items: items, attributes: channel.map { ["channel": $0] } ?? [:])
    }

    func click(_ item: String, at time: Double, in search: String, user: String = "u") -> LoggedEvent {
        LoggedEvent(queryID: search, time: time, kind: .click, itemID: item, userID: user, sessionID: "s", position: 0)
    }

    @Test func declarationsAddTheirColumnsAfterTheBuiltInOnes() {
        let store = FeatureStore(declared: Self.declared)
        #expect(store.featureNames.prefix(FeatureSchema.width) == FeatureSchema.names[...])
        #expect(Array(store.featureNames.dropFirst(FeatureSchema.width)) == [
            "rating", "age", "material_ctr", "user_material_share", "item_ctr_by_segment", "loyalty", "item_ctr_by_channel",
            "basket",
        ])
        #expect(store.rowWidth == FeatureSchema.width + 8)
        #expect(FeatureSchema.columns(excluding: [.declared], declared: Self.declared) == Array(0..<FeatureSchema.width))
        #expect(FeatureSchema.columns(excluding: [], declared: Self.declared).count == FeatureSchema.width + 8)
    }

    @Test func aConfigurationsFeaturesArrayIsReadWithClearErrors() throws {
        let good = try JSONParser.parse(Array(#"[{"source": "item", "field": "stats.rating", "type": "numeric"}]"#.utf8))
        #expect(try DeclaredFeatures(json: good).declarations.map(\.name) == ["stats_rating"])
        func error(_ text: String) -> String? {
            do {
                _ = try DeclaredFeatures(json: try JSONParser.parse(Array(text.utf8)))
                return nil
            } catch let error as DeclarationError {
                return error.description
            } catch {
                return "\(error)"
            }
        }
        #expect(error(#"[{"source": "shelf", "field": "x", "type": "numeric"}]"#) == "features[0].source: 'shelf' is not item, user or context")
        #expect(error(#"[{"source": "item", "field": "x", "type": "text"}]"#) == "features[0].type: 'text' is not numeric, categorical or age_days")
        #expect(error(#"[{"source": "item", "field": "x", "type": "numeric", "weight": 2}]"#)?.hasPrefix("features[0].weight: unknown key") == true)
        #expect(error(#"[{"name": "item_ctr", "source": "item", "field": "x", "type": "numeric"}]"#)?.contains("already a feature") == true)
        #expect(error(#"[{"source": "context", "field": "opened", "type": "age_days"}]"#)?.contains("age_days") == true)
        #expect(error(#"{"source": "item"}"#) == "features: must be an array of feature declarations")
    }

    @Test func valuesAreReadByDottedPathAndMissingOnesReadAsZero() {
        let store = FeatureStore(declared: Self.declared)
        let released = "2024-01-01"
        let now = 1_704_067_200.0 + 10 * 86_400  // ten days after 2024-01-01T00:00Z
        let candidates = [
            Candidate(id: "a", searchScore: 1, originalRank: 0, keys: ItemKeys(), declared: item(
                ["stats.rating": .number("4.5"), "released": .string(released), "material": .string("wool")])),
            Candidate(id: "b", searchScore: 1, originalRank: 1, keys: ItemKeys(), declared: item([:])),
        ]
        let rows = store.features(for: candidates, in: context(at: now, basket: "80"))
        #expect(value("rating", rows, store: store) == 4.5)
        #expect(abs(value("age", rows, store: store) - 10) < 1e-4)
        #expect(value("rating", rows, row: 1, store: store) == 0)
        #expect(value("age", rows, row: 1, store: store) == 0)
        #expect(value("basket", rows, store: store) == 80)
        #expect(value("loyalty", rows, store: store) == 0, "a user the users file does not describe")
    }

    @Test func aHitWithoutTheFieldsReadsWhatTheCatalogTaught() {
        var replay = FeatureReplay(declared: Self.declared)
        replay.learn(attributes: ["a": ItemAttributes(category: "shoes", declared: item(["stats.rating": .number("3.5")]))])
        let rows = replay.features(for: [Candidate(id: "a", searchScore: 1, originalRank: 0)], in: context(at: 10))
        #expect(value("rating", rows, store: replay.store) == 3.5)
        // A hit carrying a value wins, and the store learns it.
        var learned: [CatalogUpdate] = []
        let carried = Candidate(id: "a", searchScore: 1, originalRank: 0, keys: ItemKeys(), declared: item(["stats.rating": .number("4")]))
        let fresh = replay.features(for: [carried], in: context(at: 10), newAttributes: &learned)
        #expect(value("rating", fresh, store: replay.store) == 4)
        #expect(learned.count == 1)
        replay.learn(learned[0])
        #expect(value("rating", replay.features(for: [Candidate(id: "a", searchScore: 1, originalRank: 0)], in: context(at: 10)), store: replay.store) == 4)
    }

    @Test func anItemValueGetsItsClickRateAndTheUsersShare() {
        var replay = FeatureReplay(declared: Self.declared)
        replay.learn(attributes: [
            "wool1": ItemAttributes(declared: item(["material": .string("wool")])),
            "wool2": ItemAttributes(declared: item(["material": .string("wool")])),
            "cotton": ItemAttributes(declared: item(["material": .string("cotton")])),
        ])
        for step in 0..<30 {
            let time = Double(step * 10)
            replay.apply(impression("q\(step)", ["wool1", "cotton"], at: time))
            replay.apply(click("wool1", at: time + 1, in: "q\(step)"))
        }
        // wool2 was never shown: its material's rate and the user's share of wool carry over to it.
        let candidates = ["wool2", "cotton"].enumerated().map { Candidate(id: $1, searchScore: 1, originalRank: $0) }
        let rows = replay.features(for: candidates, in: context(at: 400))
        let store = replay.store
        #expect(value("material_ctr", rows, store: store) > 0.5)
        #expect(value("material_ctr", rows, row: 1, store: store) < 0.1)
        #expect(value("user_material_share", rows, store: store) == 1)
        #expect(value("user_material_share", rows, row: 1, store: store) == 0)
    }

    @Test func aContextValueGetsEachItemsClickRateAmongItsSearches() {
        var replay = FeatureReplay(declared: Self.declared)
        for step in 0..<40 {
            let time = Double(step * 10)
            let channel = step.isMultiple(of: 2) ? "app" : "web"
            replay.apply(impression("q\(step)", ["a", "b"], at: time, channel: channel))
            // In the app, people click a; on the web, b.
            replay.apply(click(channel == "app" ? "a" : "b", at: time + 1, in: "q\(step)"))
        }
        let candidates = ["a", "b"].enumerated().map { Candidate(id: $1, searchScore: 1, originalRank: $0) }
        let app = replay.features(for: candidates, in: context(at: 500, channel: "app"))
        let web = replay.features(for: candidates, in: context(at: 500, channel: "web"))
        let none = replay.features(for: candidates, in: context(at: 500))
        let store = replay.store
        #expect(value("item_ctr_by_channel", app, store: store) > 0.7)
        #expect(value("item_ctr_by_channel", app, row: 1, store: store) < 0.3)
        #expect(value("item_ctr_by_channel", web, row: 1, store: store) > 0.7)
        // Without a channel, the item's own click rate (both were clicked half the time).
        #expect(abs(value("item_ctr_by_channel", none, store: store) - value("item_ctr_by_channel", none, row: 1, store: store)) < 0.05)
    }

    @Test func aUserValueFromTheUsersFileGetsEachItemsClickRateAmongItsUsers() {
        var replay = FeatureReplay(declared: Self.declared)
        let profile = { (segment: String, years: Double) -> [UInt64] in
            Self.declared.values(of: .user, in: ["segment": .string(segment), "loyalty_years": .double(years)])
        }
        replay.learn(profiles: ["pro1": profile("pro", 3), "pro2": profile("pro", 1), "hobby": profile("hobby", 0)])
        for step in 0..<40 {
            let time = Double(step * 10)
            let user = step.isMultiple(of: 2) ? "pro1" : "hobby"
            replay.apply(impression("q\(step)", ["drill", "glue"], at: time, user: user))
            replay.apply(click(user == "pro1" ? "drill" : "glue", at: time + 1, in: "q\(step)", user: user))
        }
        let candidates = ["drill", "glue"].enumerated().map { Candidate(id: $1, searchScore: 1, originalRank: $0) }
        // pro2 never searched: the pros' clicks speak for them.
        let rows = replay.features(for: candidates, in: context(at: 500, user: "pro2"))
        let store = replay.store
        #expect(value("item_ctr_by_segment", rows, store: store) > value("item_ctr_by_segment", rows, row: 1, store: store) + 0.4)
        #expect(value("loyalty", rows, store: store) == 1)
    }

    @Test func theSnapshotKeepsTheDeclarationAndItsValues() throws {
        var replay = FeatureReplay(declared: Self.declared)
        replay.learn(attributes: ["a": ItemAttributes(declared: item(["stats.rating": .number("4.5"), "material": .string("wool")]))])
        replay.learn(profiles: ["u": Self.declared.values(of: .user, in: ["segment": .string("pro"), "loyalty_years": .number("2")])])
        replay.apply(impression("q", ["a"], at: 10, channel: "app"))
        replay.apply(click("a", at: 11, in: "q"))
        let data = try JSONEncoder().encode(replay.store)
        let loaded = try JSONDecoder().decode(FeatureStore.self, from: data)
        #expect(loaded.declared == Self.declared)
        let candidates = [Candidate(id: "a", searchScore: 1, originalRank: 0)]
        let expected = replay.features(for: candidates, in: context(at: 20, channel: "app"))
        #expect(loaded.features(for: candidates, in: context(at: 20, channel: "app")) == expected)
        let resized = loaded.resized(to: { var limits = FeatureStore.Limits(); limits.maxItems = 10; return limits }())
        #expect(resized.features(for: candidates, in: context(at: 20, channel: "app")) == expected)
        // A store without declarations writes the same snapshot as before they existed.
        let plain = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(FeatureStore())) as? [String: Any]
        #expect(plain?["declared"] == nil)
    }
}

import RerankCore
import RerankJSON
import Testing

@testable import Features

/// Hits' attributes read straight into keys give the keys of the attributes read as strings, and the searcher's
/// group shares are each group's weight in the user's tastes, however many groups a search spans.
@Suite struct AttributeKeysTests {
    static let hitFields: [SourceFields] = [
        ["category": JSONValue.string("shoes"), "brand": .string("acme"), "price": .double(42)],
        ["category": .array([.string("shoes"), .string("boots")]), "brand": .number("7"), "price": .number("9.5")],
        ["category": .string("shoes"), "price_band": .string("premium"), "price": .double(500)],
        ["category": .null, "brand": .array([]), "price_band": .null, "price": .double(1e300)],
        ["price": .number("1e999")],
        ["price": .double(2e30)],
        ["brand": .string("")],
        [:],
    ]

    @Test(arguments: hitFields)
    func keysMatchTheAttributesTheyStandFor(fields: SourceFields) {
        let names = AttributeFields()
        #expect(names.keys(from: fields) == ItemKeys(names.attributes(from: fields)))
    }

    /// The fields' places found in one hit read any other hit's the same, whatever its paths: the same, in
    /// another order, fewer or none.
    @Test(arguments: hitFields)
    func placesFoundInAnotherHitReadTheSameKeys(fields: SourceFields) {
        let names = AttributeFields()
        let expected = names.keys(from: fields)
        let layouts: [SourceFields] = [
            fields, ["price_band": .null, "price": .double(1), "brand": .string("x"), "category": .string("y")],
            SourceFields(paths: ["title", "category"]), [:],
        ]
        for layout in layouts {
            #expect(names.keys(from: fields, slots: names.slots(in: layout)) == expected, "places from \(layout)")
        }
    }

    @Test func sharesCoverEveryGroupOfALargeSearch() {
        var replay = FeatureReplay()
        var attributes: [String: ItemAttributes] = [:]
        for number in 0..<150 {
            attributes["i\(number)"] = ItemAttributes(category: "c\(number % 60)", brand: "b\(number % 90)", price: Double(number * 7))
        }
        replay.learn(attributes: attributes)
        let noon = LocalTime(hour: 12, weekday: 3)
        // The user acts on 40 items (40 categories and brands), some several times.
        for number in 0..<40 {
            let search = "q\(number)"
            replay.apply(LoggedImpression(
                queryID: search, time: Double(number), userID: "u", sessionID: "s", device: .desktop, localTime: noon,
                query: "shoe", items: ["i\(number)"]))
            for _ in 0...(number % 3) {
                replay.apply(LoggedEvent(
                    queryID: search, time: Double(number) + 0.5, kind: .click, itemID: "i\(number)", userID: "u", sessionID: "s",
                    position: 0))
            }
        }
        let candidates = (0..<150).map { Candidate(id: "i\($0)", searchScore: 1, originalRank: $0) }
        let context = FeatureContext(time: 100, userID: "u", sessionID: "s", device: .desktop, localTime: noon, query: "shoe")
        let rows = replay.features(for: candidates, in: context)
        let store = replay.store
        let user = FeatureKey.of("u")
        let interactions = Double(store.users.values[store.users.slot(of: user)!].interactions)
        func expected(_ kind: GroupKind, _ value: String) -> Float {
            let slot = store.tastes.slot(of: FeatureKey.pair(user, kind.key(FeatureKey.of(value))!))
            return Float(slot.map { Double(store.tastes.values[$0]) / interactions } ?? 0)
        }
        var nonZero = 0
        for number in 0..<150 {
            let row = rows[(number * FeatureSchema.width)..<((number + 1) * FeatureSchema.width)].map { $0 }
            let category = expected(.category, "c\(number % 60)")
            #expect(row[Feature.userCategoryShare.rawValue] == category)
            #expect(row[Feature.userBrandShare.rawValue] == expected(.brand, "b\(number % 90)"))
            if category > 0 { nonZero += 1 }
        }
        #expect(nonZero > 40)
    }
}

import Foundation
import RerankCore
import RerankJSON
import Testing

@testable import Features

@Suite struct FeatureStoreTests {
    static let noon = LocalTime(hour: 12, weekday: 3)

    func impression(
        _ id: String, _ items: [String], at time: Double, user: String? = "u", device: Device = .desktop, query: String = "shoe"
    ) -> LoggedImpression {
        LoggedImpression(queryID: id, time: time, userID: user, sessionID: "s", device: device, localTime: Self.noon, query: query, items: items)
    }

    func event(_ kind: InteractionKind, _ item: String, at time: Double, in search: String? = nil, user: String? = "u", position: Int? = 0) -> LoggedEvent {
        LoggedEvent(queryID: search, time: time, kind: kind, itemID: item, userID: user, sessionID: "s", position: position)
    }

    func value(_ feature: Feature, _ rows: [Float], row: Int = 0) -> Float {
        rows[row * FeatureSchema.width + feature.rawValue]
    }

    func context(at time: Double, user: String? = "u", device: Device = .desktop) -> FeatureContext {
        FeatureContext(time: time, userID: user, sessionID: "s", device: device, localTime: Self.noon, query: "shoe")
    }

    @Test func featuresSeeOnlyThePast() {
        var replay = FeatureReplay()
        replay.learn(attributes: ["a": ItemAttributes(category: "shoes", brand: "acme", price: 50)])
        let candidates = [Candidate(id: "a", searchScore: 2, originalRank: 0)]
        let before = replay.features(for: candidates, in: context(at: 100))
        replay.apply(impression("q", ["a"], at: 100))
        replay.apply(event(.purchase, "a", at: 101, in: "q"))
        let after = replay.features(for: candidates, in: context(at: 102))
        // Before its own impression and purchase, the item has no clicks, no history with the user.
        #expect(value(.itemClicksLog, before) == 0)
        #expect(value(.userItemInteractionsLog, before) == 0)
        #expect(value(.userCategoryShare, before) == 0)
        #expect(value(.userCold, before) == 1)
        #expect(value(.itemClicksLog, after) == 0, "a purchase is not a click")
        #expect(value(.itemPurchaseRate, after) > value(.itemPurchaseRate, before))
        #expect(value(.userItemInteractionsLog, after) > 0)
        #expect(value(.userCategoryShare, after) == 1)
        #expect(value(.userCold, after) == 0)
        #expect(abs(Double(value(.priceLog, after)) - log1p(50)) < 1e-5)
    }

    @Test func eventsTakeTheContextOfTheirSearch() {
        var replay = FeatureReplay()
        for step in 0..<50 {
            let time = Double(step * 10)
            let device: Device = step.isMultiple(of: 2) ? .mobile : .desktop
            replay.apply(impression("q\(step)", ["hot", "cold"], at: time, device: device))
            // Only the mobile searches' clicks; the events carry no device, their searches do.
            if device == .mobile { replay.apply(event(.click, "hot", at: time + 1, in: "q\(step)")) }
        }
        let candidates = [Candidate(id: "hot", searchScore: 1, originalRank: 0), Candidate(id: "cold", searchScore: 1, originalRank: 1)]
        let mobile = replay.features(for: candidates, in: context(at: 600, device: .mobile))
        let desktop = replay.features(for: candidates, in: context(at: 600, device: .desktop))
        #expect(value(.itemCTR, mobile, row: 0) > value(.itemCTR, mobile, row: 1))
        #expect(value(.deviceItemCTR, mobile, row: 0) > value(.deviceItemCTR, desktop, row: 0))
        #expect(value(.queryItemCTR, mobile, row: 0) > value(.queryItemCTR, mobile, row: 1))
        #expect(value(.deviceMobile, mobile) == 1)
        #expect(value(.deviceMobile, desktop) == 0)
    }

    @Test func anEventWithoutItsSearchGetsTheUnknownContext() {
        var replay = FeatureReplay()
        replay.apply(event(.click, "a", at: 10, in: "never-logged"))
        let candidates = [Candidate(id: "a", searchScore: 0, originalRank: 0)]
        let unknown = replay.features(for: candidates, in: FeatureContext.unknown(at: 11))
        let mobile = replay.features(for: candidates, in: context(at: 11, device: .mobile))
        #expect(value(.deviceItemCTR, unknown) > value(.deviceItemCTR, mobile), "the click counted for the unknown device")
        #expect(ContextDefaults.current == ContextDefaults(device: "unknown", hour: 12, weekday: 3))
    }

    @Test func positionPropensityFallsWithClicksByPosition() {
        var replay = FeatureReplay()
        for step in 0..<200 {
            replay.apply(impression("q\(step)", ["a", "b", "c"], at: Double(step), user: nil))
            replay.apply(event(.click, "a", at: Double(step), in: "q\(step)", user: nil, position: 0))
            if step.isMultiple(of: 4) { replay.apply(event(.click, "c", at: Double(step), in: "q\(step)", user: nil, position: 2)) }
        }
        #expect(replay.store.propensity(0) == 1)
        #expect(replay.store.propensity(2) < 0.4)
        #expect(replay.store.propensity(1) < replay.store.propensity(2), "position 1 was never clicked")
    }

    @Test func countersFadeWithTheHalfLife() {
        var limits = FeatureReplay.Limits()
        limits.store.halfLife = 100
        var replay = FeatureReplay(limits: limits)
        replay.apply(impression("q", ["a"], at: 0))
        replay.apply(event(.click, "a", at: 0, in: "q"))
        let candidates = [Candidate(id: "a", searchScore: 0, originalRank: 0)]
        let fresh = value(.itemClicksLog, replay.features(for: candidates, in: context(at: 0)))
        let faded = value(.itemClicksLog, replay.features(for: candidates, in: context(at: 100)))
        #expect(abs(Double(fresh) - log1p(1)) < 1e-6)
        #expect(abs(Double(faded) - log1p(0.5)) < 1e-6)
    }

    @Test func coOccurrenceAndSessionsLinkItems() {
        var replay = FeatureReplay()
        replay.apply(event(.click, "tent", at: 0, user: "u1"))
        replay.apply(event(.click, "stove", at: 1, user: "u1"))
        replay.apply(event(.click, "tent", at: 2, user: "u2"))
        let candidates = [Candidate(id: "stove", searchScore: 0, originalRank: 0), Candidate(id: "lamp", searchScore: 0, originalRank: 1)]
        let rows = replay.features(for: candidates, in: context(at: 3, user: "u2"))
        #expect(value(.userCooccurrence, rows, row: 0) > 0)
        #expect(value(.userCooccurrence, rows, row: 1) == 0)
        let session = replay.features(for: [Candidate(id: "tent", searchScore: 0, originalRank: 0)], in: context(at: 3))
        #expect(value(.sessionItemClicks, session) == 2)
        let later = replay.features(for: [Candidate(id: "tent", searchScore: 0, originalRank: 0)], in: context(at: 4000))
        #expect(value(.sessionItemClicks, later) == 0, "sessions forget after their TTL")
    }

    /// An item's count of neighbours is the lanes in use, as it fills up and once read back from a snapshot, and a
    /// search sums the neighbours of exactly those lanes.
    @Test func anItemCountsTheNeighbourLanesItUses() throws {
        var replay = FeatureReplay()
        func counts(_ store: FeatureStore) -> [UInt64: UInt8] {
            Dictionary(uniqueKeysWithValues: (0..<store.items.count).map { (store.items.keys[$0], store.items.values[$0].neighbours) })
        }
        func lanesInUse(_ store: FeatureStore) -> [UInt64: UInt8] {
            Dictionary(uniqueKeysWithValues: (0..<store.items.count).map { slot in
                (store.items.keys[slot], UInt8(store.neighbours.lanes(of: slot).filter { $0.weight > 0 }.count))
            })
        }
        // "hub" is clicked after each of 12 other items, by users of their own: more neighbours than it has lanes.
        for other in 0..<12 {
            replay.apply(event(.click, "item-\(other)", at: Double(2 * other), user: "u\(other)"))
            replay.apply(event(.click, "hub", at: Double(2 * other + 1), user: "u\(other)"))
        }
        #expect(counts(replay.store) == lanesInUse(replay.store))
        let hub = try #require(replay.store.items.slot(of: FeatureKey.of("hub")))
        #expect(replay.store.items.values[hub].neighbours == UInt8(FeatureStore.Limits.neighboursPerItem))
        #expect(replay.store.items.values[try #require(replay.store.items.slot(of: FeatureKey.of("item-3")))].neighbours == 1)
        replay.apply(event(.click, "item-11", at: 30, user: "searcher"))
        let candidates = ["hub", "item-0", "item-11"].enumerated().map { Candidate(id: $1, searchScore: 1, originalRank: $0) }
        let rows = replay.features(for: candidates, in: context(at: 31, user: "searcher"))
        #expect(value(.userCooccurrence, rows, row: 0) > 0, "item-11 is among the hub's neighbours")
        #expect(value(.userCooccurrence, rows, row: 1) == 0)
        let restored = try JSONDecoder().decode(FeatureStore.self, from: try JSONEncoder().encode(replay.store))
        #expect(counts(restored) == counts(replay.store))
        #expect(restored.features(for: candidates, in: context(at: 31, user: "searcher")) == rows)
    }

    @Test func aUsersRecentItemsKeepTheNewest() {
        var replay = FeatureReplay()
        let count = FeatureStore.Limits.recentItemsPerUser + 4
        for index in 0..<count { replay.apply(event(.click, "i\(index)", at: Double(index))) }
        replay.apply(event(.click, "i0", at: Double(count)))
        let slot = replay.store.users.slot(of: FeatureKey.of("u"))!
        let recent = Array(replay.store.recent.lanes(of: slot).prefix(Int(replay.store.users.values[slot].recentCount)))
        #expect(recent.count == FeatureStore.Limits.recentItemsPerUser)
        #expect(recent.last == FeatureKey.of("i0"), "a repeated item moves to the newest end")
        #expect(!recent.contains(FeatureKey.of("i1")), "the oldest went first")
        #expect(recent.contains(FeatureKey.of("i\(count - 1)")))
    }

    @Test func everyTableIsBoundedAndKeepsTheMostRecent() {
        var limits = FeatureReplay.Limits()
        limits.store.maxItems = 50
        limits.store.maxUsers = 40
        limits.store.maxSessions = 30
        limits.store.maxQueryItems = 60
        limits.store.maxUserItems = 70
        limits.store.maxUserTastes = 20
        limits.store.maxGroups = 10
        limits.maxSearches = 25
        let declared = try! DeclaredFeatures([FeatureDeclaration(name: "tier", source: .user, field: "tier", kind: .numeric)])
        var replay = FeatureReplay(limits: limits, declared: declared)
        for step in 0..<1000 {
            let item = "item-\(step)"
            replay.learn(attributes: [item: ItemAttributes(category: "c\(step)", brand: "b\(step)", price: Double(step))])
            replay.learn(profiles: ["user-\(step)": declared.values(of: .user, in: ["tier": .int(step)])])
            replay.apply(impression("q\(step)", [item], at: Double(step), user: "user-\(step)", query: "query \(step)"))
            replay.apply(LoggedEvent(queryID: "q\(step)", time: Double(step), kind: .click, itemID: item, userID: nil, sessionID: "s\(step)", position: 0))
        }
        for table in replay.statistics {
            #expect(table.entries <= table.capacity, "\(table.name)")
            #expect(table.evictions > 0, "\(table.name) evicted its oldest entries")
        }
        #expect(replay.store.users.slot(of: FeatureKey.of("user-999")) != nil, "the most recent users stay")
        #expect(replay.store.users.slot(of: FeatureKey.of("user-0")) == nil)
        #expect(replay.store.items.slot(of: FeatureKey.of("item-999")) != nil)
    }

    /// Statistics whose tables are grown ahead of each chunk (as serving does, off the exclusive lock) take the
    /// chunk without growing any table, and end with the same entries and feature rows as statistics that grew
    /// as they went.
    @Test func growingAheadChangesNothingButWhenTablesGrow() throws {
        var limits = FeatureReplay.Limits()
        limits.store.maxItems = 3_000
        limits.store.maxUsers = 2_000
        limits.maxSearches = 1_000
        let declared = try DeclaredFeatures([FeatureDeclaration(name: "tier", source: .user, field: "tier", kind: .numeric)])
        var inline = FeatureReplay(limits: limits, declared: declared)
        var ahead = inline
        func step(_ number: Int, _ replay: inout FeatureReplay) {
            let item = "item-\(number % 2_500)"
            replay.learn(attributes: [item: ItemAttributes(category: "c\(number % 90)", brand: "b\(number)", price: Double(number % 500))])
            replay.learn(profiles: ["user-\(number)": declared.values(of: .user, in: ["tier": .int(number)])])
            replay.apply(impression("q\(number)", [item, "item-\(number / 2)"], at: Double(number), user: "user-\(number)", query: "query \(number % 700)"))
            replay.apply(LoggedEvent(
                queryID: "q\(number)", time: Double(number), kind: .click, itemID: item, userID: nil, sessionID: "s\(number)", position: 0))
        }
        let chunk = 50
        var grew = 0
        for start in stride(from: 0, to: 4_000, by: chunk) {
            // Each step learns an item (its category, brand and price band) and a profile, shows two items and clicks one.
            if let growth = ahead.growth(toFit: 4 * 6 * chunk) {
                growth.install(into: &ahead)
                grew += 1
            }
            // The store's tables (the remembered searches also count each search's list of items).
            let room = ahead.store.statistics.map(\.bytes)
            for number in start..<(start + chunk) {
                step(number, &inline)
                step(number, &ahead)
            }
            #expect(ahead.store.statistics.map(\.bytes) == room, "steps \(start)..<\(start + chunk) grew no table")
        }
        #expect(grew > 3)
        #expect(ahead.statistics.map(\.entries) == inline.statistics.map(\.entries))
        let candidates = (0..<40).map { Candidate(id: "item-\($0 * 60)", searchScore: 1, originalRank: $0) }
        for user in ["user-3999", "user-10", "nobody"] {
            let context = FeatureContext(time: 4_000, userID: user, sessionID: "s3999", device: .mobile, localTime: Self.noon, query: "query 99")
            #expect(ahead.features(for: candidates, in: context) == inline.features(for: candidates, in: context))
        }
    }

    @Test func aSnapshotRestoresTheSameFeatures() throws {
        var replay = FeatureReplay()
        replay.learn(attributes: ["a": ItemAttributes(category: "shoes", brand: "acme", price: 50), "b": ItemAttributes(category: "hats")])
        for step in 0..<30 {
            replay.apply(impression("q\(step)", ["a", "b", "c"], at: Double(step * 60), user: "u\(step % 3)"))
            replay.apply(event(step.isMultiple(of: 3) ? .purchase : .click, step.isMultiple(of: 2) ? "a" : "b", at: Double(step * 60 + 5), in: "q\(step)"))
        }
        let data = try JSONEncoder().encode(replay.store)
        let restored = try JSONDecoder().decode(FeatureStore.self, from: data)
        let candidates = ["a", "b", "c", "d"].enumerated().map { Candidate(id: $1, searchScore: 1, originalRank: $0) }
        for user in ["u0", "u1", "u2", "nobody"] {
            let context = self.context(at: 2000, user: user)
            #expect(restored.features(for: candidates, in: context) == replay.store.features(for: candidates, in: context))
        }
        #expect(restored.latest == replay.store.latest)
        #expect(restored.statistics.map(\.entries) == replay.store.statistics.map(\.entries))
    }

    /// An item's lanes are stored in another order than snapshots keep theirs (``ContextLanes/itemPlace(of:)``):
    /// a snapshot still holds them by device, in `Device`'s order, then by daypart, as every earlier build wrote
    /// and reads them.
    @Test func aSnapshotKeepsAnItemsLanesByDeviceThenDaypart() throws {
        var replay = FeatureReplay()
        for (index, (device, hour)) in [(Device.mobile, 2), (.desktop, 20)].enumerated() {
            replay.apply(LoggedImpression(
                queryID: "q\(index)", time: 100, userID: "u", sessionID: "s", device: device,
                localTime: LocalTime(hour: hour, weekday: 3), query: "shoe", items: ["a"]))
        }
        // Shown once on mobile (lane 0) and once on desktop (lane 2), once at night (lane 5) and once in the
        // evening (lane 8); no clicks.
        let shown = Set([0, 2, 5, 8])
        var expected: [UInt8] = []
        for lane in 0..<(Device.allCases.count + Daypart.allCases.count) {
            let counts: [Float] = [shown.contains(lane) ? 1 : 0, 0]
            for value in counts { withUnsafeBytes(of: value.bitPattern.littleEndian) { expected += $0 } }
        }
        let bytes = replay.store.tableBytes(format: FeatureStore.snapshotFormat)
        let starts = bytes.indices.dropLast(expected.count - 1)
        #expect(starts.contains { Array(bytes[$0..<($0 + expected.count)]) == expected })
        let restored = try JSONDecoder().decode(FeatureStore.self, from: try JSONEncoder().encode(replay.store))
        let candidates = [Candidate(id: "a", searchScore: 1, originalRank: 0)]
        for device in Device.allCases {
            for hour in [2, 8, 14, 20] {
                let context = FeatureContext(
                    time: 200, userID: "u", sessionID: "s", device: device, localTime: LocalTime(hour: hour, weekday: 3),
                    query: "shoe")
                let original = replay.store.features(for: candidates, in: context)
                #expect(restored.features(for: candidates, in: context) == original)
            }
        }
    }

    /// A snapshot of format 3, which kept no taste groups, or of format 4, which kept no items acted on, is read
    /// with what it did not keep unknown, so every group or user × item pair is looked up: the same features as the
    /// store it was written from.
    @Test(arguments: [3, 4]) func aSnapshotOfAnEarlierFormatReadsTheSameFeatures(format: Int) throws {
        var replay = FeatureReplay()
        replay.learn(attributes: ["a": ItemAttributes(category: "shoes", brand: "acme", price: 50), "b": ItemAttributes(category: "hats")])
        for step in 0..<30 {
            replay.apply(impression("q\(step)", ["a", "b", "c"], at: Double(step * 60), user: "u\(step % 3)"))
            replay.apply(event(.click, step.isMultiple(of: 2) ? "a" : "b", at: Double(step * 60 + 5), in: "q\(step)", user: "u\(step % 3)"))
        }
        var object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(replay.store)) as? [String: Any])
        object["format"] = format
        object["tables"] = Data(replay.store.tableBytes(format: format)).base64EncodedString()
        let restored = try JSONDecoder().decode(FeatureStore.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(restored.users.count == 3)
        #expect(restored.users.values.allSatisfy { ($0.tasteGroups == .unknown) == (format == 3) })
        #expect(restored.users.values.allSatisfy { $0.touchedItems == .unknown })
        let candidates = ["a", "b", "c"].enumerated().map { Candidate(id: $1, searchScore: 1, originalRank: $0) }
        for user in ["u0", "u1", "u2"] {
            let context = self.context(at: 2000, user: user)
            let rows = restored.features(for: candidates, in: context)
            #expect(rows == replay.store.features(for: candidates, in: context))
            #expect(rows[Feature.userCategoryShare.rawValue] > 0)
            #expect(rows[Feature.userItemInteractionsLog.rawValue] > 0)
        }
    }

    /// Key bits hold every key put in, and clear most others.
    @Test func keyBitsHoldTheirKeysAndClearMostOthers() {
        var random = SplitMix64(seed: 5)
        var groups = KeyBits()
        let tasted = (0..<3).map { _ in random.next() }
        for group in tasted { groups.insert(group) }
        #expect(tasted.allSatisfy(groups.mayContain))
        let others = (0..<1000).filter { _ in groups.mayContain(random.next()) }.count
        #expect(others < 150, "\(others) of 1,000 other keys may be among 3 put in")
        #expect(KeyBits.unknown.mayContain(random.next()))
    }

    /// A user's touched items hold each item the user acted on, whose interactions a search still reads, and clear
    /// most others.
    @Test func aUsersTouchedItemsHoldTheItemsTheyActedOn() throws {
        var replay = FeatureReplay()
        let items = (0..<5).map { "item-\($0)" }
        for (step, item) in items.enumerated() { replay.apply(event(.click, item, at: Double(step), user: "u")) }
        let row = try #require(replay.store.users.slot(of: FeatureKey.of("u")).map { replay.store.users.values[$0] })
        #expect(items.allSatisfy { row.touchedItems.mayContain(FeatureKey.of($0)) })
        let others = (0..<1000).filter { row.touchedItems.mayContain(FeatureKey.of("other-\($0)")) }.count
        #expect(others < 200, "\(others) of 1,000 other items may be among 5 acted on")
        let candidates = (items + ["other"]).enumerated().map { Candidate(id: $1, searchScore: 1, originalRank: $0) }
        let rows = replay.features(for: candidates, in: context(at: 10, user: "u"))
        for index in items.indices { #expect(value(.userItemInteractionsLog, rows, row: index) > 0) }
        #expect(value(.userItemInteractionsLog, rows, row: items.count) == 0)
    }

    @Test func aSmallerStoreKeepsTheMostRecentEntriesOfASnapshot() {
        var replay = FeatureReplay()
        for step in 0..<100 { replay.apply(event(.click, "item-\(step)", at: Double(step), user: "user-\(step)")) }
        var limits = FeatureStore.Limits()
        limits.maxUsers = 10
        limits.maxItems = 10
        let small = replay.store.resized(to: limits)
        #expect(small.users.count == 10)
        #expect(small.users.slot(of: FeatureKey.of("user-99")) != nil)
        #expect(small.users.slot(of: FeatureKey.of("user-89")) == nil)
        let candidates = [Candidate(id: "item-99", searchScore: 0, originalRank: 0)]
        let context = FeatureContext(time: 100, userID: "user-99", sessionID: nil, device: .desktop, localTime: Self.noon, query: "")
        #expect(small.features(for: candidates, in: context) == replay.store.features(for: candidates, in: context))
    }

    @Test func aDamagedSnapshotIsRefusedWithAReason() throws {
        let data = try JSONEncoder().encode(FeatureReplay().store)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["tables"] = Data([1, 2, 3]).base64EncodedString()
        let damaged = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: SnapshotError.endsEarly()) { try JSONDecoder().decode(FeatureStore.self, from: damaged) }
        object["tables"] = "not base64!"
        #expect(throws: SnapshotError.notBase64()) {
            try JSONDecoder().decode(FeatureStore.self, from: try JSONSerialization.data(withJSONObject: object))
        }
        object["format"] = 1
        let old = try JSONSerialization.data(withJSONObject: object)
        let error = try #require(throws: SnapshotError.self) { try JSONDecoder().decode(FeatureStore.self, from: old) }
        #expect(error.message.contains("retrain the model"))
    }

    @Test func schemaFamiliesSelectColumns() {
        let all = FeatureSchema.columns(excluding: [])
        let noContext = FeatureSchema.columns(excluding: [.context])
        #expect(all.count == FeatureSchema.width)
        #expect(noContext.count < all.count)
        #expect(noContext.allSatisfy { FeatureSchema.definitions[$0].family != .context })
        #expect(Set(FeatureSchema.names).count == FeatureSchema.names.count)
        #expect(FeatureSchema.select([2, 0], from: (0..<(2 * FeatureSchema.width)).map(Float.init)) == [2, 0, Float(FeatureSchema.width + 2), Float(FeatureSchema.width)])
        // Every column in order gives the rows as they are; all but the last, each row shortened by one.
        let rows = (0..<(3 * 5)).map(Float.init)
        #expect(FeatureSchema.select(Array(0..<5), from: rows, width: 5) == rows)
        #expect(FeatureSchema.select(Array(0..<4), from: rows, width: 5) == [0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13])
        #expect(FeatureSchema.select(all, from: []).isEmpty)
    }
}

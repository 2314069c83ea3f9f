import Foundation
import RerankCore

extension FeatureStore {
    /// Registers what the catalog says of items (from an items file or from search hits).
    public mutating func learn(attributes: [String: ItemAttributes]) {
        for (id, value) in attributes.sorted(by: { $0.key < $1.key }) {
            learn(FeatureKey.of(id), ItemKeys(value), declared: value.declared)
        }
    }

    /// Registers the catalog attributes and declared item values (``DeclaredFeatures/values(of:in:)``) of an
    /// item; what is missing leaves what the store knows.
    mutating func learn(_ item: UInt64, _ attributes: ItemKeys, declared values: [UInt64]) {
        let knowsValues = values.count == itemValues.width && DeclaredFeatures.anyKnown(values)
        guard attributes.isKnown || knowsValues else { return }
        let slot = itemSlot(item)
        if attributes.isKnown { items.values[slot].attributes = attributes }
        if knowsValues { for (lane, value) in values.enumerated() { itemValues[slot, lane] = value } }
    }

    /// Registers the declared user values of users (from a users file: user id → ``DeclaredFeatures/values(of:in:)``).
    public mutating func learn(profiles described: [String: [UInt64]]) {
        for (id, values) in described.sorted(by: { $0.key < $1.key }) where values.count == profileValues.width {
            let (slot, isNew) = profiles.update(FeatureKey.of(id))
            if isNew { profileValues.reset(slot) }
            for (lane, value) in values.enumerated() { profileValues[slot, lane] = value }
        }
    }

    /// Applies one shown result list: exposure by item, context, query and absolute position.
    mutating func apply(_ impression: LoggedImpression, attributes: [String: ItemKeys]) {
        let context = impression.context
        let time = context.time
        latest = max(latest, time)
        let places = ContextLanes.Places(of: context)
        let halfLife = limits.halfLife
        // The query and the declared segments: each counts its items' exposure and clicks (``queryItems``).
        let pairKeys = pairKeys(of: context)
        for (index, id) in impression.items.enumerated() {
            let position = impression.position(ofShown: index)
            let item = FeatureKey.of(id)
            let examination = Float(propensity(position))
            let slot = itemSlot(item)
            if let known = attributes[id], known.isKnown { items.values[slot].attributes = known }
            decayItem(slot, to: time)
            items.values[slot].shown += 1
            items.values[slot].examinations += examination
            itemContext[slot, places.itemDevice].shown += 1
            itemContext[slot, places.itemDaypart].shown += 1
            countGroups(ofItemIn: slot, at: time, lanes: places) { $0.shown += 1 }
            for pairKey in pairKeys {
                let pair = queryItems.update(FeatureKey.pair(pairKey, item)).slot
                Self.decay(&queryItems.values[pair], to: time, halfLife: halfLife)
                queryItems.values[pair].shown += 1
                queryItems.values[pair].examinations += examination
            }
            if position < positionShown.count { positionShown[position] += 1 }
            totalShown += 1
        }
    }

    /// Applies one click, add-to-cart or purchase, in the context of the search it came from when known (else
    /// ``FeatureContext/unknown(at:)``).
    mutating func apply(_ event: LoggedEvent, shownIn search: ShownSearch?) {
        let time = event.time
        latest = max(latest, time)
        let context = search?.context ?? .unknown(at: time)
        let item = FeatureKey.of(event.itemID)
        let slot = itemSlot(item)
        decayItem(slot, to: time)
        let isClick = event.kind == .click
        switch event.kind {
        case .click:
            items.values[slot].clicks += 1
            totalClicks += 1
            let position = event.position ?? search?.position(of: item)
            if let position, position >= 0, position < positionClicks.count { positionClicks[position] += 1 }
        case .addToCart:
            items.values[slot].carts += 1
            totalCarts += 1
        case .purchase:
            items.values[slot].purchases += 1
            totalPurchases += 1
        }
        let attributes = items.values[slot].attributes
        if isClick {
            let places = ContextLanes.Places(of: context)
            itemContext[slot, places.itemDevice].clicks += 1
            itemContext[slot, places.itemDaypart].clicks += 1
            countGroups(ofItemIn: slot, at: time, lanes: places) { $0.clicks += 1 }
            for pairKey in pairKeys(of: context) {
                guard let pair = queryItems.slot(of: FeatureKey.pair(pairKey, item)) else { continue }
                Self.decay(&queryItems.values[pair], to: time, halfLife: limits.halfLife)
                queryItems.values[pair].clicks += 1
            }
        }
        if let user = event.userID ?? search?.context.userID {
            updateUser(FeatureKey.of(user), item: item, groups: tasteKeys(ofItemIn: slot), weight: Float(event.kind.rawValue), at: time)
        }
        if isClick, let session = event.sessionID ?? search?.context.sessionID {
            addClick(FeatureKey.of(session), item: item, category: attributes.category, at: time)
        }
    }

    /// Counts a click under the cascade assumption: the clicked item and every item shown above it were
    /// examined. Items an earlier click on the same search already counted are not counted again
    /// (`search.examined` says how many, from the top).
    mutating func examineCascade(_ search: inout ShownSearch, clicked item: UInt64, at time: Double) {
        guard let index = search.items.firstIndex(of: item) else { return }
        let query = search.context.query.isEmpty ? nil : FeatureKey.of(search.context.query)
        let halfLife = limits.halfLife
        func count(_ shown: UInt64, _ change: (inout RateCounts) -> Void) {
            if let slot = items.slot(of: shown) {
                decayItem(slot, to: time)
                change(&items.values[slot].cascade)
            }
            if let query, let pair = queryItems.slot(of: FeatureKey.pair(query, shown)) {
                Self.decay(&queryItems.values[pair], to: time, halfLife: halfLife)
                change(&queryItems.values[pair].cascade)
            }
        }
        if index >= search.examined {
            for shown in search.items[search.examined...index] { count(shown) { $0.shown += 1 } }
            totalCascade.shown += Float(index + 1 - search.examined)
            search.examined = index + 1
        }
        count(item) { $0.clicks += 1 }
        totalCascade.clicks += 1
    }

    // MARK: Tables

    /// The item's slot, its lanes cleared when it is new.
    private mutating func itemSlot(_ item: UInt64) -> Int {
        let (slot, isNew) = items.update(item)
        if isNew {
            itemContext.reset(slot)
            neighbours.reset(slot)
            itemValues.reset(slot)
        }
        return slot
    }

    private mutating func decayItem(_ slot: Int, to time: Double) {
        var row = items.values[slot]
        let factor = Self.fade(from: row.updated, to: time, halfLife: limits.halfLife)
        if factor < 1 {
            row.shown *= factor
            row.clicks *= factor
            row.carts *= factor
            row.purchases *= factor
            row.examinations *= factor
            row.cascade.scale(by: factor)
            itemContext.scale(slot, by: factor)
        }
        row.updated = max(row.updated, time)
        items.values[slot] = row
    }

    private static func decay(_ row: inout QueryItemRow, to time: Double, halfLife: Double) {
        let factor = fade(from: row.updated, to: time, halfLife: halfLife)
        row.shown *= factor
        row.clicks *= factor
        row.examinations *= factor
        row.cascade.scale(by: factor)
        row.updated = max(row.updated, time)
    }

    /// Changes the counts of the groups per-context rates are kept for of the item in `slot` (its category, its
    /// price band and its declared categorical item values) in the search's device, daypart and
    /// weekday-or-weekend lanes, after fading them to `time`. Called for every item shown: the two attribute
    /// groups are counted without building a list of keys.
    private mutating func countGroups(
        ofItemIn slot: Int, at time: Double, lanes: ContextLanes.Places, _ change: (inout RateCounts) -> Void
    ) {
        let attributes = items.values[slot].attributes
        if let category = GroupKind.category.key(attributes.category) { countGroup(category, at: time, lanes: lanes, change) }
        if let band = GroupKind.priceBand.key(attributes.priceBand) { countGroup(band, at: time, lanes: lanes, change) }
        guard itemValues.width > 0 else { return }
        for group in declaredGroupKeys(ofItemIn: slot) { countGroup(group, at: time, lanes: lanes, change) }
    }

    private mutating func countGroup(
        _ group: UInt64, at time: Double, lanes: ContextLanes.Places, _ change: (inout RateCounts) -> Void
    ) {
        let (slot, isNew) = groups.update(group)
        if isNew { groupContext.reset(slot) }
        groupContext.scale(slot, by: Self.fade(from: groups.values[slot], to: time, halfLife: limits.halfLife))
        groups.values[slot] = max(groups.values[slot], time)
        change(&groupContext[slot, lanes.device])
        change(&groupContext[slot, lanes.daypart])
        change(&groupContext[slot, lanes.weekend])
    }

    /// The factor counters last updated at `updated` fade by until `time` (1 when `time` is not later).
    static func fade(from updated: Double, to time: Double, halfLife: Double) -> Float {
        guard updated != never, time > updated, halfLife > 0 else { return 1 }
        return Float(exp2(-(time - updated) / halfLife))
    }

    /// The groups a user's tastes are kept for of the item in `slot`: its category, brand, price band and
    /// declared categorical item values.
    private func tasteKeys(ofItemIn slot: Int) -> [UInt64] {
        let attributes = items.values[slot].attributes
        return [GroupKind.category.key(attributes.category), GroupKind.brand.key(attributes.brand),
            GroupKind.priceBand.key(attributes.priceBand)].compactMap { $0 } + declaredGroupKeys(ofItemIn: slot)
    }

    private func declaredGroupKeys(ofItemIn slot: Int) -> [UInt64] {
        guard itemValues.width > 0 else { return [] }
        return zip(declared.declarations(of: .item), itemValues.lanes(of: slot)).compactMap { declaration, lane in
            declaration.kind == .categorical && lane != DeclaredValue.missing ? lane : nil
        }
    }

    /// The keys counted with each item shown in a search: its query's, and its ``segmentKeys(of:)``.
    private func pairKeys(of context: FeatureContext) -> [UInt64] {
        (context.query.isEmpty ? [] : [FeatureKey.of(context.query)]) + segmentKeys(of: context)
    }

    /// The keys of a search's declared categorical user and context values (``searchLanes(of:)``), each counted
    /// with the items shown like a query (in ``queryItems``).
    private func segmentKeys(of context: FeatureContext) -> [UInt64] {
        zip(declared.declarations, searchLanes(of: context)).compactMap { declaration, lane in
            declaration.source != .item && declaration.kind == .categorical && lane != DeclaredValue.missing ? lane : nil
        }
    }

    private mutating func updateUser(_ user: UInt64, item: UInt64, groups: [UInt64], weight: Float, at time: Double) {
        let (slot, isNew) = users.update(user)
        if isNew { recent.reset(slot) }
        users.values[slot].interactions += weight
        users.values[slot].lastSeen = time
        for group in groups {
            tastes.values[tastes.update(FeatureKey.pair(user, group)).slot] += weight
            users.values[slot].tasteGroups.insert(group)
        }
        let touch = userItems.update(FeatureKey.pair(user, item)).slot
        users.values[slot].touchedItems.insert(item)
        userItems.values[touch].count += 1
        userItems.values[touch].last = time
        var count = Int(users.values[slot].recentCount)
        for lane in 0..<count {
            let other = recent[slot, lane]
            guard other != item else { continue }
            linkNeighbours(item, other)
            linkNeighbours(other, item)
        }
        // Move the item to the newest end of the user's recent items, dropping the oldest when full.
        var kept = recent.lanes(of: slot).prefix(count).filter { $0 != item }
        if kept.count == Limits.recentItemsPerUser { kept.removeFirst() }
        kept.append(item)
        count = kept.count
        for lane in 0..<Limits.recentItemsPerUser { recent[slot, lane] = lane < count ? kept[lane] : 0 }
        users.values[slot].recentCount = Int32(count)
    }

    /// Counts `other` as seen with `item`: its weight grows when listed, else it replaces the least weighted.
    private mutating func linkNeighbours(_ item: UInt64, _ other: UInt64) {
        guard let slot = items.slot(of: item) else { return }
        var weakest = 0
        for lane in 0..<neighbours.width {
            let neighbour = neighbours[slot, lane]
            if neighbour.item == other {
                neighbours[slot, lane].weight += 1
                return
            }
            if neighbour.weight < neighbours[slot, weakest].weight { weakest = lane }
        }
        neighbours[slot, weakest] = Neighbour(item: other, weight: 1)
        items.values[slot].neighbours = max(items.values[slot].neighbours, UInt8(weakest + 1))
    }

    private mutating func addClick(_ session: UInt64, item: UInt64, category: UInt64, at time: Double) {
        let (slot, isNew) = sessions.update(session)
        if isNew { sessionClicks.reset(slot) }
        var count = Int(sessions.values[slot])
        if count == Limits.clicksPerSession {
            for lane in 1..<count { sessionClicks[slot, lane - 1] = sessionClicks[slot, lane] }
            count -= 1
        }
        sessionClicks[slot, count] = SessionClick(item: item, category: UInt32(truncatingIfNeeded: category), time: time)
        sessions.values[slot] = Int32(count + 1)
    }
}

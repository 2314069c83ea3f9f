import Foundation

/// Model files carry the store as it stood after training: `{"format": 5, "limits": {...}, "latest": T,
/// "tables": "<base64>"}`, the tables written entry by entry from the least to the most recently updated, so a
/// store loaded with other limits keeps the most recent entries. A store with declared features adds
/// `"declared": [...]` and, after the other tables, the items' declared values and the users file's profiles.
///
/// Format 4 added each user's taste groups (``UserRow/tasteGroups``), format 5 the items each user acted on
/// (``UserRow/touchedItems``); formats 3 and 4 are still read, with what they did not keep unknown.
extension FeatureStore: Codable {
    static let snapshotFormat = 5
    /// The earliest format this build reads.
    static let earliestSnapshotFormat = 3

    private enum CodingKeys: String, CodingKey {
        case format, limits, latest, tables, declared
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let format = try container.decode(Int.self, forKey: .format)
        guard (Self.earliestSnapshotFormat...Self.snapshotFormat).contains(format) else {
            throw SnapshotError.otherFormat(format, readable: Self.earliestSnapshotFormat...Self.snapshotFormat)
        }
        let limits = try container.decode(Limits.self, forKey: .limits)
        guard let data = Data(base64Encoded: try container.decode(String.self, forKey: .tables)) else {
            throw SnapshotError.notBase64()
        }
        let declared = try container.decodeIfPresent(DeclaredFeatures.self, forKey: .declared) ?? .none
        try self.init(
            tables: Array(data), format: format, latest: try container.decode(Double.self, forKey: .latest), limits: limits,
            declared: declared)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.snapshotFormat, forKey: .format)
        try container.encode(limits, forKey: .limits)
        try container.encode(latest, forKey: .latest)
        try container.encode(Data(tableBytes(format: Self.snapshotFormat)).base64EncodedString(), forKey: .tables)
        if !declared.isEmpty { try container.encode(declared, forKey: .declared) }
    }

    /// The same statistics in a store with other limits (the server's configuration): when a table holds more
    /// entries than its new limit, the least recently updated go.
    public func resized(to limits: Limits) -> FeatureStore {
        guard limits != self.limits else { return self }
        // The bytes were written by this build, so reading them back cannot fail.
        let tables = tableBytes(format: Self.snapshotFormat)
        return (try? FeatureStore(tables: tables, format: Self.snapshotFormat, latest: latest, limits: limits, declared: declared))
            ?? FeatureStore(limits: limits, declared: declared)
    }

    /// The tables in snapshot `format`: the current one, or an earlier one this build still reads.
    func tableBytes(format: Int) -> [UInt8] {
        var writer = ByteWriter(format: format)
        for value in positionShown + positionClicks + [totalShown, totalClicks, totalCarts, totalPurchases] {
            writer.write(value)
        }
        totalCascade.write(to: &writer)
        let itemSlots = Self.write(items, to: &writer)
        let itemPlaces = ContextLanes.itemPlaces
        Self.write(itemContext, of: itemSlots, places: { itemPlaces[$0] }, to: &writer)
        Self.write(neighbours, of: itemSlots, to: &writer)
        Self.write(groupContext, of: Self.write(groups, to: &writer), to: &writer)
        Self.write(queryItems, to: &writer)
        Self.write(recent, of: Self.write(users, to: &writer), to: &writer)
        Self.write(userItems, to: &writer)
        Self.write(tastes, to: &writer)
        Self.write(sessionClicks, of: Self.write(sessions, to: &writer), to: &writer)
        if !declared.isEmpty {
            Self.write(itemValues, of: itemSlots, to: &writer)
            Self.write(profileValues, of: Self.write(profiles, to: &writer), to: &writer)
        }
        return writer.bytes
    }

    private init(tables: [UInt8], format: Int, latest: Double, limits: Limits, declared: DeclaredFeatures) throws(SnapshotError) {
        self.init(limits: limits, declared: declared)
        self.latest = latest
        var reader = ByteReader(tables, format: format)
        for index in 0..<positionShown.count { positionShown[index] = try reader.read() }
        for index in 0..<positionClicks.count { positionClicks[index] = try reader.read() }
        totalShown = try reader.read()
        totalClicks = try reader.read()
        totalCarts = try reader.read()
        totalPurchases = try reader.read()
        totalCascade = try RateCounts(from: &reader)
        let itemSlots = try Self.read(into: &items, from: &reader)
        let itemPlaces = ContextLanes.itemPlaces
        try Self.read(into: &itemContext, slots: itemSlots, places: { itemPlaces[$0] }, from: &reader)
        try Self.read(into: &neighbours, slots: itemSlots, from: &reader)
        for case let slot? in itemSlots {
            let used = neighbours.lanes(of: slot).lastIndex { $0.weight > 0 }.map { $0 - slot * neighbours.width + 1 }
            items.values[slot].neighbours = UInt8(used ?? 0)
        }
        try Self.read(into: &groupContext, slots: try Self.read(into: &groups, from: &reader), from: &reader)
        _ = try Self.read(into: &queryItems, from: &reader)
        try Self.read(into: &recent, slots: try Self.read(into: &users, from: &reader), from: &reader)
        _ = try Self.read(into: &userItems, from: &reader)
        _ = try Self.read(into: &tastes, from: &reader)
        try Self.read(into: &sessionClicks, slots: try Self.read(into: &sessions, from: &reader), from: &reader)
        if !declared.isEmpty {
            try Self.read(into: &itemValues, slots: itemSlots, from: &reader)
            try Self.read(into: &profileValues, slots: try Self.read(into: &profiles, from: &reader), from: &reader)
        }
        guard reader.isAtEnd else { throw SnapshotError.trailingBytes() }
    }

    /// Writes a table's entries from the least to the most recently updated; returns their slots in that order.
    @discardableResult
    private static func write<Value: BinaryRecord>(_ table: BoundedTable<Value>, to writer: inout ByteWriter) -> [Int] {
        let slots = table.slotsByRecency
        writer.write(slots.count)
        for slot in slots {
            writer.write(table.keys[slot])
            table.values[slot].write(to: &writer)
        }
        return slots
    }

    /// Writes the lanes of `slots`, in order; lane `lane` from where `places` says it is stored.
    private static func write<Lane: BinaryRecord>(
        _ lanes: SlotLanes<Lane>, of slots: [Int], places: (Int) -> Int = { $0 }, to writer: inout ByteWriter
    ) {
        for slot in slots { for lane in 0..<lanes.width { lanes[slot, places(lane)].write(to: &writer) } }
    }

    /// Reads a table written by ``write(_:to:)``; returns the slots its entries took, in the order written. With
    /// a smaller capacity than the writer's, later entries evict earlier ones, and only the last slots count.
    private static func read<Value: BinaryRecord>(
        into table: inout BoundedTable<Value>, from reader: inout ByteReader
    ) throws(SnapshotError) -> [Int?] {
        let count = try reader.readCount(entryBytes: 8 + Value.byteCount(format: reader.format))
        var slots: [Int] = []
        slots.reserveCapacity(count)
        for _ in 0..<count {
            let key: UInt64 = try reader.read()
            let value = try Value(from: &reader)
            let slot = table.update(key).slot
            table.values[slot] = value
            slots.append(slot)
        }
        // A slot reused by a later entry belongs to that entry: the earlier one's lanes are skipped.
        var owner: [Int: Int] = [:]
        for (index, slot) in slots.enumerated() { owner[slot] = index }
        return slots.enumerated().map { owner[$0.element] == $0.offset ? $0.element : nil }
    }

    /// Reads lanes written by ``write(_:of:places:to:)`` into `slots`, lane `lane` where `places` says.
    private static func read<Lane: BinaryRecord>(
        into lanes: inout SlotLanes<Lane>, slots: [Int?], places: (Int) -> Int = { $0 }, from reader: inout ByteReader
    ) throws(SnapshotError) {
        var values: [Lane] = []
        values.reserveCapacity(lanes.width)
        for slot in slots {
            values.removeAll(keepingCapacity: true)
            for _ in 0..<lanes.width { values.append(try Lane(from: &reader)) }
            guard let slot else { continue }
            lanes.reset(slot)
            for (lane, value) in values.enumerated() { lanes[slot, places(lane)] = value }
        }
    }
}

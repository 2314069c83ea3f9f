import Testing

@testable import Features

@Suite struct BoundedTableTests {
    @Test func aFullTableEvictsTheLeastRecentlyUpdated() {
        var table = BoundedTable<Int>(capacity: 3, empty: 0)
        for key: UInt64 in [1, 2, 3] { table.values[table.update(key).slot] = Int(key) }
        _ = table.update(1)  // 2 is now the least recently updated
        let inserted = table.update(4)
        #expect(inserted.isNew)
        #expect(table.slot(of: 2) == nil)
        #expect(table.values[inserted.slot] == 0, "a reused slot starts empty")
        #expect(table.evictions == 1)
        #expect(table.count == 3)
        #expect(table.slotsByRecency.map { table.keys[$0] } == [3, 1, 4])
    }

    /// Random updates against a plain dictionary and recency list: same keys kept, same values, same order.
    @Test func matchesAReferenceUnderRandomUpdates() {
        var random = SystemRandomNumberGenerator()
        for capacity in [1, 2, 7, 64, 300] {
            var table = BoundedTable<Int>(capacity: capacity, empty: 0)
            var reference: [UInt64: Int] = [:]
            var order: [UInt64] = []
            for step in 0..<5000 {
                // Keys from a small range collide in the index; low bits repeat on purpose.
                let key = UInt64.random(in: 0..<UInt64(capacity * 3), using: &random) << 20 | UInt64(step % 3)
                let slot = table.update(key).slot
                table.values[slot] += 1
                if reference[key] == nil, reference.count == capacity {
                    reference[order.removeFirst()] = nil
                }
                reference[key, default: 0] += 1
                order.removeAll { $0 == key }
                order.append(key)
            }
            #expect(table.count == reference.count)
            #expect(table.slotsByRecency.map { table.keys[$0] } == order)
            for (key, value) in reference { #expect(table.slot(of: key).map { table.values[$0] } == value) }
        }
    }

    /// A table grown ahead takes the insertions it was grown for without growing again, behaves as the table
    /// that grew as it went, and leaves the table it was built from as it was.
    @Test func aTableGrownAheadTakesItsInsertionsWithoutGrowing() throws {
        var small = BoundedTable<Int>(capacity: 10, empty: 0)
        for key: UInt64 in [1, 2, 3] { _ = small.update(key) }
        #expect(small.grown(toFit: 100) == nil, "a small table's first arrays already hold its capacity")
        for capacity in [1_000, 5_000] {
            var inline = BoundedTable<Int>(capacity: capacity, empty: 0)
            for key in 0..<UInt64(capacity / 3) { inline.values[inline.update(key &* 0x9E37_79B9_7F4A_7C15).slot] = Int(key) }
            let before = inline
            var ahead = try #require(inline.grown(toFit: capacity))
            #expect(ahead.grown(toFit: capacity) == nil, "already has the room")
            #expect(inline.bytes == before.bytes && inline.count == before.count, "the original is untouched")
            let room = ahead.bytes
            for key in UInt64(capacity / 3)..<UInt64(2 * capacity) {
                for table in [0, 1] {
                    if table == 0 {
                        inline.values[inline.update(key &* 0x9E37_79B9_7F4A_7C15).slot] = Int(key)
                    } else {
                        ahead.values[ahead.update(key &* 0x9E37_79B9_7F4A_7C15).slot] = Int(key)
                    }
                }
            }
            #expect(ahead.bytes == room, "no growth after growing ahead")
            #expect(ahead.count == inline.count && ahead.evictions == inline.evictions)
            #expect(ahead.slotsByRecency.map { ahead.keys[$0] } == inline.slotsByRecency.map { inline.keys[$0] })
            for slot in 0..<inline.count {
                #expect(ahead.slot(of: inline.keys[slot]).map { ahead.values[$0] } == inline.values[slot])
            }
        }
    }
}


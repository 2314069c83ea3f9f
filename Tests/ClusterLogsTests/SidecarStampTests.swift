import Foundation
import RerankJSON
import Testing

@testable import ClusterLogs

@Suite struct SidecarStampTests {
    @Test func batchesGetConsecutiveNumbersAndOneTime() {
        let stamp = SidecarStamp(instance: "abc")
        var first = [JSONObject(["query_id": .string("q1")]), JSONObject(), JSONObject()]
        var second = [JSONObject(), JSONObject()]
        stamp.stamp(&first, at: Date(timeIntervalSince1970: 1_700_000_000))
        stamp.stamp(&second, at: Date(timeIntervalSince1970: 1_700_000_001))
        #expect((first + second).compactMap { SidecarStamp.read($0)?.sequence } == [1, 2, 3, 4, 5])
        #expect(Set((first + second).compactMap { SidecarStamp.read($0)?.instance }) == ["abc"])
        #expect(first.compactMap(SidecarStamp.loggedAt) == [1_700_000_000, 1_700_000_000, 1_700_000_000])
        #expect(second.compactMap(SidecarStamp.loggedAt) == [1_700_000_001, 1_700_000_001])
        #expect(first[0]["query_id"] == .string("q1"), "the record keeps its own fields")
    }
}

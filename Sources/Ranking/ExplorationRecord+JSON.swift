import RerankCore
import RerankJSON

extension ExplorationRecord {
    /// The record as an impression's `query_attributes.exploration` carries it:
    /// `{"share": 0.05, "depth": 10, "swap": [3, 4], "cold": {"from": 8, "to": 6}, "blocked": [0]}`.
    ///
    /// `swap` holds the two positions exchanged, absent when no pair could be; `cold` the ranked and shown
    /// position of the cold hit moved up, absent when none was; `blocked` the first positions of the pairs that
    /// could not be swapped, absent when there are none.
    public var json: JSONValue {
        var object = JSONObject(["share": .double(share), "depth": .int(depth)])
        if let swap { object["swap"] = .array([.int(swap), .int(swap + 1)]) }
        if let cold { object["cold"] = .object(JSONObject(["from": .int(cold.from), "to": .int(cold.to)])) }
        if !blocked.isEmpty { object["blocked"] = .array(blocked.map(JSONValue.int)) }
        return .object(object)
    }

    /// Reads ``json``'s form back; nil when the value is not a consistent record (training then reads the search
    /// as unexplored).
    public init?(json: JSONValue) {
        guard let object = json.objectValue, let share = object["share"]?.doubleValue, let depth = object["depth"]?.intValue,
            depth >= 0
        else { return nil }
        var swap: Int?
        if let value = object["swap"] {
            guard let pair = value.arrayValue?.compactMap(\.intValue), pair.count == 2, pair[0] >= 0, pair[1] == pair[0] + 1,
                pair[1] < depth
            else { return nil }
            swap = pair[0]
        }
        var cold: Move?
        if let value = object["cold"] {
            guard let from = value.objectValue?["from"]?.intValue, let to = value.objectValue?["to"]?.intValue, 0 <= to, to < from
            else { return nil }
            cold = Move(from: from, to: to)
        }
        let blocked = object["blocked"]?.arrayValue?.compactMap(\.intValue) ?? []
        guard blocked.allSatisfy({ $0 >= 0 && $0 < depth - 1 }), swap.map({ !blocked.contains($0) }) ?? true else { return nil }
        self.init(share: share, depth: depth, swap: swap, blocked: blocked, cold: cold)
    }
}

import Foundation
import RerankCore
import RerankJSON

/// Ranks by a weighted sum of numeric fields of the hits, e.g. popularity and rating.
///
/// The ranker used until a learned model is loaded: the storefront names the signals it trusts.
///
/// ```swift
/// let ranker = SignalRanker(signals: [.init(field: "popularity", weight: 1, transform: .log1p)])
/// ```
public struct SignalRanker: Ranker {
    /// One field's contribution to the score.
    public struct Signal: Sendable, Codable, Equatable {
        public enum Transform: String, Sendable, Codable {
            /// The value as it is.
            case linear
            /// `log(1 + max(0, value))`, for counts with a long tail.
            case log1p
        }

        public var field: String
        public var weight: Double
        public var transform: Transform

        public init(field: String, weight: Double = 1, transform: Transform = .linear) {
            self.field = field
            self.weight = weight
            self.transform = transform
        }

        private enum CodingKeys: String, CodingKey { case field, weight, transform }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            field = try container.decode(String.self, forKey: .field)
            weight = try container.decodeIfPresent(Double.self, forKey: .weight) ?? 1
            transform = try container.decodeIfPresent(Transform.self, forKey: .transform) ?? .linear
        }

        func contribution(_ value: JSONValue?) -> Double {
            let number: Double
            switch value {
            case .number(let text): number = Double(text) ?? 0
            case .bool(let bool): number = bool ? 1 : 0
            default: return 0
            }
            switch transform {
            case .linear: return weight * number
            case .log1p: return weight * Foundation.log1p(max(0, number))
            }
        }
    }

    public let signals: [Signal]
    public let version: String

    public init(signals: [Signal], version: String? = nil) {
        self.signals = signals
        self.version = version ?? "signals-\(signals.count)"
    }

    public var requiredFields: [String] { signals.map(\.field) }

    public func score(_ hits: [RankableHit], context: SearchContext) -> RankerOutput {
        var scores: [Double] = []
        scores.reserveCapacity(hits.count)
        for hit in hits {
            scores.append(signals.reduce(0) { $0 + $1.contribution(hit.fields[$1.field]) })
        }
        let features = context.explain
            ? hits.map { hit in
                Dictionary(uniqueKeysWithValues: signals.map { ($0.field, $0.contribution(hit.fields[$0.field])) })
            }
            : nil
        return RankerOutput(scores: scores, features: features)
    }
}

import Foundation
import RerankCore

/// The ids given to accepted events that do not carry one (`event_id`): 32 hex digits, the acceptance time in
/// milliseconds (12 digits) then 80 random bits. The id is the event's document id in `ubi_events` and is kept
/// in the file log, so a replay or a re-ship of the same record never stores it twice, while two identical
/// events (two add-to-carts of one item in one batch) stay two events.
///
/// ```swift
/// var ids = EventID.Generator()
/// ids.next(at: Date())  // "0193a5c2f1e84b7d0c9e2a61f3d5b80a"
/// ```
enum EventID {
    /// The most bytes a client-supplied id may have: OpenSearch's limit on a document id.
    static let maxBytes = 512

    /// Draws ids for one batch from a generator seeded by the system's random source.
    struct Generator {
        private var random = SplitMix64(seed: UInt64.random(in: .min ... .max))

        mutating func next(at date: Date) -> String {
            let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
            return hexDigits(milliseconds, count: 12) + hexDigits(random.next() & 0xFFFF, count: 4)
                + hexDigits(random.next(), count: 16)
        }
    }
}

import Foundation
import Synchronization

/// The searcher's local hour and weekday, the time context features read.
public struct LocalTime: Sendable, Equatable, Codable {
    /// Hour of the day, 0–23.
    public var hour: Int
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int

    public init(hour: Int, weekday: Int) {
        self.hour = hour
        self.weekday = weekday
    }

    /// The local time at `date` in `timeZone`.
    public init(date: Date, timeZone: TimeZone) {
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - days * 86_400
        hour = secondOfDay / 3600
        // 1970-01-01 was a Thursday (ISO weekday 4).
        weekday = ((days % 7) + 7 + 3) % 7 + 1
    }

    /// The part of the day an hour falls in, for features and reports.
    public var daypart: Daypart { Daypart(hour: hour) }

    /// Whether the weekday is Saturday or Sunday.
    public var isWeekend: Bool { weekday >= 6 }
}

/// Coarse parts of the day.
public enum Daypart: String, Sendable, CaseIterable, Codable {
    case night  // 0–5
    case morning  // 6–11
    case afternoon  // 12–17
    case evening  // 18–23

    public init(hour: Int) {
        switch hour {
        case 6..<12: self = .morning
        case 12..<18: self = .afternoon
        case 18..<24: self = .evening
        default: self = .night
        }
    }
}

/// Time zones by identifier, created once: `TimeZone(identifier:)` reads the zone database each time.
public enum TimeZones {
    private static let cache = Mutex<[String: TimeZone]>([:])
    private static let capacity = 1024

    /// The zone named `identifier` (e.g. `Europe/Berlin`), or nil when there is no such zone.
    public static func named(_ identifier: String) -> TimeZone? {
        if let zone = cache.withLock({ $0[identifier] }) { return zone }
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        cache.withLock { zones in
            if zones.count < capacity { zones[identifier] = zone }
        }
        return zone
    }
}

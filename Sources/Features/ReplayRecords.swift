/// A logged search or interaction, as a replay meets them.
public enum ReplayRecord: Sendable {
    case impression(LoggedImpression)
    case event(LoggedEvent)

    /// Seconds since 1970.
    public var time: Double {
        switch self {
        case .impression(let impression): impression.time
        case .event(let event): event.time
        }
    }
}

/// Logged searches and interactions handed out one at a time in time order, searches before interactions of the
/// same time: from memory (``ReplayLog/records()``) or read as they go (log files, a block at a time).
public protocol ReplaySource {
    associatedtype Failure: Error
    /// The next record, or nil after the last.
    mutating func next() throws(Failure) -> ReplayRecord?
}

extension ReplayLog {
    /// The impressions and events merged in time order, an impression before events of the same time.
    public func records() -> Records { Records(log: self) }

    public struct Records: ReplaySource {
        let log: ReplayLog
        private var nextImpression = 0
        private var nextEvent = 0

        init(log: ReplayLog) {
            self.log = log
        }

        public mutating func next() -> ReplayRecord? {
            let (impressions, events) = (log.impressions, log.events)
            if nextImpression < impressions.count,
                nextEvent == events.count || impressions[nextImpression].time <= events[nextEvent].time
            {
                defer { nextImpression += 1 }
                return .impression(impressions[nextImpression])
            }
            guard nextEvent < events.count else { return nil }
            defer { nextEvent += 1 }
            return .event(events[nextEvent])
        }
    }
}

import EventLog
import Features

extension LiveFeatureState {
    /// Replays what `log` holds after the statistics' latest observation, in time order, so a restarted
    /// sidecar remembers the users and items it served since its model was trained. Records dated after
    /// `notAfter` (seconds since 1970: now plus the allowed clock skew) are skipped.
    ///
    /// - Returns: how many impressions and events were applied.
    @discardableResult
    public func catchUp(with log: InteractionLog, notAfter: Double = .infinity) -> (impressions: Int, events: Int) {
        let since = latest
        let window = { (time: Double) in time > since && time <= notAfter }
        let impressions = log.loggedImpressions().filter { window($0.time) }.sorted { $0.time < $1.time }
        let events = log.loggedEvents().filter { window($0.time) }.sorted { $0.time < $1.time }
        var next = 0
        for impression in impressions {
            let first = next
            while next < events.count, events[next].time < impression.time { next += 1 }
            apply(Array(events[first..<next]))
            enqueue(impression)
        }
        apply(Array(events[next...]))
        return (impressions.count, events.count)
    }
}

import EventLog
import Features

extension LiveFeatureState {
    /// Replays what `log` holds after the statistics' latest observation, in time order, so a restarted
    /// sidecar remembers the users and items it served since its model was trained.
    ///
    /// - Returns: how many impressions and events were applied.
    @discardableResult
    public func catchUp(with log: InteractionLog) -> (impressions: Int, events: Int) {
        let since = snapshot.latest
        let impressions = log.loggedImpressions().filter { $0.time > since }.sorted { $0.time < $1.time }
        let events = log.events.filter { $0.timestamp.timeIntervalSince1970 > since }
            .sorted { $0.timestamp < $1.timestamp }
        var next = 0
        for impression in impressions {
            var batch: [UBIEvent] = []
            while next < events.count, events[next].timestamp.timeIntervalSince1970 < impression.time {
                batch.append(events[next])
                next += 1
            }
            observe(batch)
            observe(impression, attributes: [:])
        }
        observe(Array(events[next...]))
        return (impressions.count, events.count)
    }
}

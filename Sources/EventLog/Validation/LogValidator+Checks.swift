import Foundation

extension LogValidator {
    func unreadableLines(_ log: InteractionLog) -> ValidationFinding? {
        var tally = FindingTally(limit: configuration.exampleLimit)
        for problem in log.problems where !problem.isTornLastLine { tally.add(problem.description) }
        return tally.finding(
            .unreadableLine, .error,
            "lines were skipped, and the records on them are lost to training; fix or remove them")
    }

    func tornLastLines(_ log: InteractionLog) -> ValidationFinding? {
        var tally = FindingTally(limit: configuration.exampleLimit)
        for problem in log.problems where problem.isTornLastLine { tally.add(problem.description) }
        return tally.finding(
            .tornLastLine, .warning,
            "files end in a partial line, as a crash mid-append leaves them; that append was never acknowledged, so nothing acknowledged is lost — remove the partial line to silence this"
        )
    }

    func unknownQueryIDs(_ log: InteractionLog) -> ValidationFinding? {
        let known = Set(log.queries.map(\.queryID))
        var tally = FindingTally(limit: configuration.exampleLimit)
        var missing: Set<String> = []
        for event in Self.inFileOrder(log.events) {
            guard let queryID = event.queryID, !known.contains(queryID) else { continue }
            missing.insert(queryID)
            tally.add("\(Self.place(event.location)) \(event.actionName) query_id=\(queryID)")
        }
        return tally.finding(
            .unknownQueryID, .error,
            "events refer to \(missing.count) query_id(s) with no ubi_queries record, so they cannot be joined to what was shown; include the ubi_queries files for them in --logs"
        )
    }

    func interactionsOnUnshownObjects(_ log: InteractionLog) -> ValidationFinding? {
        var shown: [String: Set<String>] = [:]
        for query in log.queries {
            guard let hits = query.responseHitIDs else { continue }
            shown[query.queryID, default: []].formUnion(hits)
        }
        for event in log.events where event.actionName == "impression" {
            guard let queryID = event.queryID else { continue }
            shown[queryID, default: []].formUnion(event.objectID.map { [$0] } ?? [])
        }
        let actions = interactionActions
        var tally = FindingTally(limit: configuration.exampleLimit)
        for event in Self.inFileOrder(log.events) where actions.contains(event.actionName) {
            // Without hit ids or impressions for the query there is nothing to check against.
            guard let queryID = event.queryID, let objects = shown[queryID] else { continue }
            guard let objectID = event.objectID else {
                tally.add("\(Self.place(event.location)) \(event.actionName) query_id=\(queryID) has no object_id")
                continue
            }
            if !objects.contains(objectID) {
                tally.add("\(Self.place(event.location)) \(event.actionName) object_id=\(objectID) query_id=\(queryID)")
            }
        }
        return tally.finding(
            .interactionOnUnshownObject, .error,
            "interactions name an object that is not in their query's query_response_hit_ids or impressions, so they cannot label a shown result; log the hits shown with each query and the object_id on each event"
        )
    }

    func duplicateQueryIDs(_ log: InteractionLog) -> ValidationFinding? {
        var records: [String: [UBIQuery]] = [:]
        var order: [String] = []
        for query in Self.inFileOrder(log.queries) {
            if records[query.queryID] == nil { order.append(query.queryID) }
            records[query.queryID, default: []].append(query)
        }
        var tally = FindingTally(limit: configuration.exampleLimit)
        for queryID in order {
            guard let copies = records[queryID], copies.count > 1 else { continue }
            let places = Self.inFileOrder(copies).prefix(3).map { Self.place($0.location) }.joined(separator: ", ")
            tally.add("query_id=\(queryID): \(copies.count) records (\(places)\(copies.count > 3 ? ", ..." : ""))")
        }
        return tally.finding(
            .duplicateQueryID, .error,
            "query_ids have more than one ubi_queries record, so their events join ambiguously; give every search its own query_id and log it once"
        )
    }

    func futureTimestamps(_ log: InteractionLog, now: Date) -> ValidationFinding? {
        let limit = now.addingTimeInterval(configuration.futureTolerance)
        var tally = FindingTally(limit: configuration.exampleLimit)
        let records =
            log.queries.map { ($0.timestamp, $0.location, "query_id=\($0.queryID)") }
            + log.events.map { ($0.timestamp, $0.location, $0.actionName) }
        for (timestamp, location, label) in records.sorted(by: { Self.precedes($0.1, $1.1) }) where timestamp > limit {
            tally.add("\(Self.place(location)) \(label) at \(UBITimestamp.string(from: timestamp))")
        }
        return tally.finding(
            .futureTimestamp, .error,
            "records are stamped after \(UBITimestamp.string(from: now)), which lets point-in-time features see the future; fix the producer's clock or timezone (timestamps must be UTC or carry an offset)"
        )
    }

    func timestampsOutOfOrder(_ log: InteractionLog) -> ValidationFinding? {
        var tally = FindingTally(limit: configuration.exampleLimit)
        let streams = [
            Dictionary(grouping: log.queries.map { ($0.location, $0.timestamp) }, by: { $0.0?.file ?? "" }),
            Dictionary(grouping: log.events.map { ($0.location, $0.timestamp) }, by: { $0.0?.file ?? "" }),
        ]
        var steps: [(LogLocation?, Date, Date)] = []
        for stream in streams {
            for (_, records) in stream {
                var latest = Date.distantPast
                for (location, timestamp) in records.sorted(by: { Self.precedes($0.0, $1.0) }) {
                    if timestamp < latest.addingTimeInterval(-configuration.orderTolerance) {
                        steps.append((location, timestamp, latest))
                    }
                    latest = max(latest, timestamp)
                }
            }
        }
        for (location, timestamp, latest) in steps.sorted(by: { Self.precedes($0.0, $1.0) }) {
            tally.add(
                "\(Self.place(location)) \(UBITimestamp.string(from: timestamp)) comes after \(UBITimestamp.string(from: latest))"
            )
        }
        return tally.finding(
            .timestampOutOfOrder, .warning,
            "records are earlier than records above them in the same file; readers sort by time so training is unaffected, but this usually means merged exports or clocks that disagree between hosts"
        )
    }

    func unknownActions(_ log: InteractionLog) -> ValidationFinding? {
        let known = knownActions
        var counts: [String: Int] = [:]
        var firstSeen: [String: LogLocation?] = [:]
        var order: [String] = []
        for event in Self.inFileOrder(log.events) where !known.contains(event.actionName) {
            if counts[event.actionName] == nil {
                order.append(event.actionName)
                firstSeen[event.actionName] = event.location
            }
            counts[event.actionName, default: 0] += 1
        }
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return nil }
        let ranked = order.sorted { counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]! : $0 < $1 }
        return ValidationFinding(
            kind: .unknownAction, severity: .warning, count: total,
            message:
                "events use \(ranked.count) action name(s) other than \(Self.standardActions.sorted().joined(separator: ", ")); the trainer ignores them — declare the ones you use on purpose (rerank validate --known-action NAME)",
            examples: ranked.prefix(configuration.exampleLimit).map {
                "\($0): \(counts[$0]!) event(s), first at \(Self.place(firstSeen[$0] ?? nil))"
            })
    }

    func personalizeMinimums(interactions: Int, users: [String: Int]) -> [ValidationFinding?] {
        var findings: [ValidationFinding?] = []
        if interactions < configuration.minimumInteractions {
            findings.append(
                ValidationFinding(
                    kind: .tooFewInteractions, severity: .warning, count: interactions,
                    message:
                        "\(interactions) interactions (\(interactionActions.sorted().joined(separator: ", "))); Amazon Personalize asks for at least \(configuration.minimumInteractions) before a model is worth training — collect more logs",
                    examples: []))
        }
        let minimum = configuration.minimumInteractionsPerUser
        let enough = users.values.filter { $0 >= minimum }.count
        if enough < configuration.minimumUsers {
            let fewest = users.filter { $0.value < minimum }.sorted { $0.key < $1.key }
            findings.append(
                ValidationFinding(
                    kind: .tooFewUsers, severity: .warning, count: enough,
                    message:
                        "\(enough) users (client_id) have at least \(minimum) interactions; Amazon Personalize asks for at least \(configuration.minimumUsers) — personalization needs repeat users, so make sure client_id is logged and stable",
                    examples: fewest.prefix(configuration.exampleLimit).map {
                        "client_id=\($0.key): \($0.value) interaction(s)"
                    }
                ))
        }
        return findings
    }

    /// Events or queries in file and line order (readers hand them over in time order), so examples read top down.
    static func inFileOrder<Record>(_ records: [Record]) -> [Record] where Record: Locatable {
        records.sorted { precedes($0.location, $1.location) }
    }

    /// `file:line`, or `(in memory)` for records not read from a file.
    static func place(_ location: LogLocation?) -> String {
        location?.description ?? "(in memory)"
    }

    /// File then line order; records without a location come first.
    static func precedes(_ lhs: LogLocation?, _ rhs: LogLocation?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil), (_, nil): false
        case (nil, _): true
        case (let lhs?, let rhs?): lhs.file != rhs.file ? lhs.file < rhs.file : lhs.line < rhs.line
        }
    }
}

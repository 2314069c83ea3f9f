import EventLog
import Experiments
import Foundation

/// One logged search of an experiment, with what its searcher did: the unit the report sums per user.
public struct ExperimentSearch: Sendable, Equatable {
    public var experiment: String
    public var variant: String
    /// The user, else the session (the unit of randomization).
    public var user: String
    /// Click events on the search.
    public var clicks: Int
    public var addedToCart: Bool
    public var purchased: Bool
    /// 0-based position of the first click in the shown list; nil without a click.
    public var firstClickPosition: Int?
    /// Interleaving: clicks credited to each team.
    public var controlCredit: Int
    public var treatmentCredit: Int

    public init(
        experiment: String, variant: String, user: String, clicks: Int = 0, addedToCart: Bool = false,
        purchased: Bool = false, firstClickPosition: Int? = nil, controlCredit: Int = 0, treatmentCredit: Int = 0
    ) {
        self.experiment = experiment
        self.variant = variant
        self.user = user
        self.clicks = clicks
        self.addedToCart = addedToCart
        self.purchased = purchased
        self.firstClickPosition = firstClickPosition
        self.controlCredit = controlCredit
        self.treatmentCredit = treatmentCredit
    }
}

/// What the logs say of each experiment: its searches and how it was configured when they were served.
public struct ExperimentLog: Sendable {
    public var searches: [ExperimentSearch]
    /// Per experiment, in order of first appearance: its type and logged split (from the first search seen).
    public var experiments: [ExperimentTag]
    /// Searches forced by the override header, left out.
    public var forcedSearches: Int
    /// Searches outside every experiment (`variant: default`).
    public var outsideSearches: Int

    /// Reads experiment searches out of UBI logs; events join their search by `query_id`.
    ///
    /// Clicks count `click` events; the first click is the earliest, at its `position.ordinal` or else where its
    /// object was shown. Add-to-cart and purchase count when the search had at least one such event.
    public init(_ log: InteractionLog) {
        var events: [String: [UBIEvent]] = [:]
        for event in log.events {
            guard let queryID = event.queryID else { continue }
            events[queryID, default: []].append(event)
        }
        searches = []
        experiments = []
        forcedSearches = 0
        outsideSearches = 0
        var seen = Set<String>()
        for query in log.queries {
            guard let tag = query.experimentTag else { continue }
            guard let experiment = tag.experiment else {
                outsideSearches += 1
                continue
            }
            if tag.forced {
                forcedSearches += 1
                continue
            }
            if seen.insert(experiment).inserted { experiments.append(tag) }
            searches.append(Self.search(query, tag: tag, experiment: experiment, events: events[query.queryID] ?? []))
        }
    }

    private static func search(_ query: UBIQuery, tag: ExperimentTag, experiment: String, events: [UBIEvent]) -> ExperimentSearch {
        var search = ExperimentSearch(experiment: experiment, variant: tag.variant, user: query.clientID ?? "anonymous")
        var clickedPositions: [Int] = []
        let shown = query.responseHitIDs ?? []
        for event in events.sorted(by: { $0.timestamp < $1.timestamp }) {
            switch event.actionName {
            case "click":
                search.clicks += 1
                if let position = event.position ?? event.objectID.flatMap({ shown.firstIndex(of: $0) }) {
                    clickedPositions.append(position)
                }
            case "add_to_cart": search.addedToCart = true
            case "purchase": search.purchased = true
            default: break
            }
        }
        search.firstClickPosition = clickedPositions.first
        if let names = tag.teams, case let teams = names.compactMap(Team.init(rawValue:)), teams.count == names.count {
            let credit = TeamDraft.credit(teams: teams, clickedPositions: clickedPositions)
            search.controlCredit = credit.control
            search.treatmentCredit = credit.treatment
        }
        return search
    }
}

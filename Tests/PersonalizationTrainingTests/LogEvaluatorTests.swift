import EventLog
import Features
import LTRModel
import LTRTraining
import RerankFixtures
import Testing

@testable import Personalization
@testable import PersonalizationTraining

@Suite struct LogEvaluatorTests {
    @Test func modelBeatsEngineRandomAndBaselineWithAConfidentUplift() throws {
        let log = SyntheticLog.make(searches: 1500)
        let (model, _) = try LogTrainer.train(log: log, items: SyntheticLog.items(), options: LogTrainerTests.options())
        let evaluation = try LogEvaluator.evaluate(model: model, log: log, items: SyntheticLog.items())
        let ndcg = { (name: String) in evaluation.rankings[name]?.overall.metrics["ndcg@10"] ?? .nan }
        #expect(ndcg("model") > ndcg("original"))
        #expect(ndcg("model") > ndcg("random"))
        #expect(ndcg("model") > ndcg("baseline"))
        #expect(evaluation.uplift.low > 0, "the bootstrap interval excludes no difference")
        #expect(evaluation.uplift.low <= evaluation.uplift.mean && evaluation.uplift.mean <= evaluation.uplift.high)
        #expect(abs(evaluation.uplift.mean - (ndcg("model") - ndcg("original"))) < 1e-9)
        #expect(evaluation.rankings["original"]?.changed == 0)
        #expect((evaluation.rankings["model"]?.changed ?? 0) > 0.5)
        #expect(evaluation.rankings["model"]?.segments["device=mobile"] != nil)
        #expect(evaluation.rankings["model"]?.segments.keys.contains { $0.hasPrefix("user=") } == true)
        #expect(evaluation.heldOutGroups == Int((Double(evaluation.replay.groupsWithInteractions) * 0.2).rounded()))
        // What is served: the model at its chosen weight, never worse than the engine on this log; and every ranking
        // has a counterfactual estimate, the model's above the engine order's.
        #expect(evaluation.servedWeightChosen && evaluation.servedWeight == model.extras.blend?.weight)
        #expect(evaluation.servedUplift.low > 0)
        #expect(evaluation.debiased)
        let counterfactual = { (name: String) in evaluation.rankings[name]?.counterfactual?.ips.mean ?? .nan }
        #expect(counterfactual("served") > counterfactual("original"))
        #expect(counterfactual("random") < counterfactual("original"))
        #expect(evaluation.table().contains("counterfactual DCG@10"))
        #expect(evaluation.json()["served_uplift_ndcg@10"] != nil)
    }

    @Test func saysWhenTrainingAlreadySawTheHeldOutSearches() throws {
        let log = SyntheticLog.make(searches: 600)
        var options = LogTrainerTests.options()
        options.parameters.iterations = 10
        let (all, _) = try LogTrainer.train(log: log, items: SyntheticLog.items(), options: options)
        let seen = try LogEvaluator.evaluate(model: all, log: log, items: [:])
        #expect(seen.seenInTraining >= seen.heldOutGroups - 1, "validation used the latest 20%: all but the very last held-out search are older than it")
        #expect(seen.table().contains("warning: training already used"))
        options.testFraction = 0.2
        let (unseen, report) = try LogTrainer.train(log: log, items: SyntheticLog.items(), options: options)
        let evaluation = try LogEvaluator.evaluate(model: unseen, log: log, items: [:])
        #expect(report.testGroups == evaluation.heldOutGroups)
        #expect(report.trainingGroups + report.validationGroups + report.testGroups == evaluation.replay.groupsWithInteractions)
        #expect(evaluation.seenInTraining == 0)
        #expect(!evaluation.table().contains("warning"))
    }

    @Test func linearGainAndHoldLastPerUser() throws {
        let log = SyntheticLog.make(searches: 600)
        let (model, _) = try LogTrainer.train(log: log, items: SyntheticLog.items(), options: LogTrainerTests.options())
        let exponential = try LogEvaluator.evaluate(model: model, log: log, items: [:], holdOut: .lastPerUser)
        let linear = try LogEvaluator.evaluate(model: model, log: log, items: [:], holdOut: .lastPerUser, gain: .linear)
        #expect(exponential.heldOutGroups == 40, "one search per user")
        // Clicks only: every label is 0 or 1, where both gains agree.
        #expect(abs((exponential.rankings["model"]?.overall.metrics["ndcg@10"] ?? 0) - (linear.rankings["model"]?.overall.metrics["ndcg@10"] ?? 1)) < 1e-12)
    }
}

@Suite struct ModelComparisonTests {
    @Test func comparesTwoModelsOnTheSameSearches() throws {
        let log = SyntheticLog.make(searches: 1500)
        let (model, _) = try LogTrainer.train(log: log, items: SyntheticLog.items(), options: LogTrainerTests.options())
        var weak = LogTrainerTests.options()
        weak.excludedFamilies = [.user, .item]
        let (weaker, _) = try LogTrainer.train(log: log, items: SyntheticLog.items(), options: weak)
        let itself = try LogEvaluator.evaluate(model: model, comparedWith: model, log: log, items: SyntheticLog.items())
        let same = try #require(itself.upliftOverCompared)
        #expect(same.mean == 0 && same.low == 0 && same.high == 0)
        #expect(itself.rankings["compared"]?.overall == itself.rankings["model"]?.overall)
        let versus = try LogEvaluator.evaluate(model: model, comparedWith: weaker, log: log, items: SyntheticLog.items())
        let difference = try #require(versus.upliftOverCompared)
        let ndcg = { (name: String) in versus.rankings[name]?.overall.metrics["ndcg@10"] ?? .nan }
        #expect(abs(difference.mean - (ndcg("model") - ndcg("compared"))) < 1e-9)
        #expect(difference.low > 0, "the model with user and item features beats the one without: \(difference)")
    }
}

@Suite struct LogEvaluationReportTests {
    @Test func reportsNameEveryRankingAndTheGain() throws {
        let log = SyntheticLog.make(searches: 500)
        var options = LogTrainerTests.options()
        options.parameters.iterations = 10
        let (model, _) = try LogTrainer.train(log: log, items: SyntheticLog.items(), options: options)
        let evaluation = try LogEvaluator.evaluate(model: model, comparedWith: model, log: log, items: SyntheticLog.items())
        let json = evaluation.json()
        for name in LogEvaluator.rankingNames {
            let ranking = try #require(json[name]?.objectValue)
            for key in ["ndcg@10", "precision@10", "recall@10", "mrr", "map", "coverage@10"] {
                #expect(ranking[key]?.doubleValue != nil, "\(name) lacks \(key)")
            }
        }
        #expect(json["gain"] == .string("exponential"))
        #expect(json["uplift_over_compared_ndcg@10"]?.objectValue?["mean"]?.doubleValue == 0)
        let table = evaluation.table()
        #expect(table.contains("exponential (2^rel - 1)"))
        #expect(LogEvaluator.rankingNames.allSatisfy { table.contains($0) })
        let run = try #require(evaluation.trecRun("original"))
        let lines = run.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(lines.count == evaluation.rankings["original"]?.orders.joined().count)
        #expect(Set(lines.map { String($0[0]) }) == Set(evaluation.queryIDs))
        let first = try #require(lines.first)
        #expect(first[1] == "Q0" && first[3] == "1" && first[5] == "original")
        #expect(evaluation.trecRun("no such ranking") == nil)
        let html = evaluation.html(title: "test")
        #expect(html.contains("<svg"))
        #expect(html.contains("model overall"))
    }
}

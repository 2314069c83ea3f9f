import EventLog
import Features
import Foundation
import Personalization
import PersonalizationTraining

/// The logs as a replay reads them (``LogArguments/replayTwice(declared:summary:_:)``): log files streamed, or
/// records from memory.
enum ReplayInput: ReplaySource {
    case files(LogFileRecords)
    case memory(ReplayLog.Records)

    mutating func next() throws(EventLogError) -> ReplayRecord? {
        switch self {
        case .files(var records):
            defer { self = .files(records) }
            return try records.next()
        case .memory(var records):
            defer { self = .memory(records) }
            return records.next()
        }
    }
}

extension LogArguments {
    /// Hands `replay` the logs twice, in time order: the first for the labels, the second for the rows. Log files
    /// are streamed (``LogFileRecords``); a cluster's indices are downloaded slice by slice to a temporary directory
    /// (removed afterwards) and the slices streamed from there, merged by time. With `--index-config`, or when the
    /// files are further out of time order than a stream reorders (found in the first pass, before any row is
    /// made), the logs are read into memory. What was read is reported on standard error; `summary` finds the
    /// counts in the result.
    func replayTwice<Result>(
        declared: DeclaredFeatures, summary: (Result) -> ReplaySummary,
        _ replay: (inout ReplayInput, inout ReplayInput, _ items: [String: ItemAttributes], _ users: [String: [UInt64]]) throws -> Result
    ) async throws -> Result {
        guard streams, let logs else { return try await replayInMemory(declared: declared, replay) }
        let (items, users) = try catalog(declared: declared)
        let downloads = Self.isCluster(logs)
        let directory = downloads
            ? FileManager.default.temporaryDirectory.appendingPathComponent("rerank-logs-\(UUID().uuidString)").path : logs
        defer { if downloads { try? FileManager.default.removeItem(atPath: directory) } }
        let paths = try await downloads ? Self.downloadCluster(logs, to: directory) : [logs]
        var first = ReplayInput.files(try LogFileRecords(paths))
        var second = ReplayInput.files(try LogFileRecords(paths))
        do {
            let result = try replay(&first, &second, items, users)
            if case .files(let records) = first {
                reportStreamed(records, summary: summary(result), catalog: catalogRead(items, users))
            }
            return result
        } catch let error as EventLogError where error == .outOfTimeOrder("", behind: 0) {
            printError("\(error); reading the logs into memory to replay them in order")
            return try await replayInMemory(declared: declared, replay)
        }
    }

    private func replayInMemory<Result>(
        declared: DeclaredFeatures,
        _ replay: (inout ReplayInput, inout ReplayInput, _ items: [String: ItemAttributes], _ users: [String: [UInt64]]) throws -> Result
    ) async throws -> Result {
        let (log, items, users) = try await load(declared: declared)
        let records = log.replayLog().records()
        var first = ReplayInput.memory(records)
        var second = ReplayInput.memory(records)
        return try replay(&first, &second, items, users)
    }
}

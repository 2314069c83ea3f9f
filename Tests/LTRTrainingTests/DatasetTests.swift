import Foundation
import LTRModel
@testable import LTRTraining
import RerankCore
import RerankFixtures
import Testing

/// The LETOR / svmlight reader and data set checks.
@Suite struct DatasetTests {
    func write(_ text: String, name: String = "data.txt", query: String? = nil) throws -> (URL, String) {
        let directory = try RankingFixtures.temporaryDirectory()
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if let query { try Data(query.utf8).write(to: URL(fileURLWithPath: path + ".query")) }
        return (directory, path)
    }

    @Test func readsQidLines() throws {
        let (directory, path) = try write(
            """
            2 qid:10 1:0.5 3:1.25 # comment
            0 qid:10 2:-1e-2

            1 qid:7 1:3 3:4.5e1
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try LETORReader.read(path: path)
        #expect(data.rowCount == 3 && data.featureCount == 3 && data.queryCount == 2)
        #expect(data.labels == [2, 0, 1])
        #expect(data.groupSizes == [2, 1])
        #expect(Array(data.row(0)) == [0.5, 0, 1.25])
        #expect(Array(data.row(1)) == [0, -0.01, 0])
        #expect(Array(data.row(2)) == [3, 0, 45])
        #expect(data.featureNames == ["f1", "f2", "f3"])
    }

    @Test func readsQueryFileAndSchema() throws {
        let (directory, path) = try write("1 1:1\n0 2:2\n1 1:3\n", query: "2\n1\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try LETORReader.read(path: path, featureCount: 5)
        #expect(data.featureCount == 5 && data.groupSizes == [2, 1])
        #expect(Array(data.row(1)) == [0, 2, 0, 0, 0])
    }

    @Test func parsesNumbersExactly() throws {
        let text = "0 qid:1 1:0.1 2:123456.789 3:1e-30 4:-0 5:7.\n"
        let data = try LETORReader.parse(Data(text.utf8), name: "inline")
        #expect(Array(data.row(0)) == [Float(0.1), Float(123456.789), Float(1e-30), 0, 7])
    }

    @Test func parsesInParallelLikeSerially() throws {
        var text = ""
        for row in 0..<30_000 {
            text += "\(row % 4) qid:\(row / 30) 1:\(Double(row) / 7) 4:\(row % 11).5\n"
        }
        let serial = try LETORReader.parse(Data(text.utf8), name: "big", threads: 1)
        let parallel = try LETORReader.parse(Data(text.utf8), name: "big", threads: 4)
        #expect(serial.features == parallel.features && serial.labels == parallel.labels)
        #expect(serial.queryBoundaries == parallel.queryBoundaries && serial.queryCount == 1000)
    }

    @Test func readsInBlocksLikeWhole() throws {
        var text = ""
        for row in 0..<3_000 {
            text += row % 97 == 0 ? "# a comment line\n\n" : ""
            text += "\(row % 5) qid:query-\(row / 7) 1:\(Double(row) / 3) 3:\(row % 13).25 # row \(row)\n"
        }
        text += "2 qid:last 2:1"  // no newline at the end
        let (directory, path) = try write(text)
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = try LETORReader.parse(Data(text.utf8), name: path)
        for blockSize in [37, 4_096, 1 << 20] {
            let blocks = try LETORReader.read(path: path, featureCount: nil, featureNames: nil, threads: 2, blockSize: blockSize)
            #expect(blocks.features == whole.features && blocks.labels == whole.labels, "block size \(blockSize)")
            #expect(blocks.queryBoundaries == whole.queryBoundaries && blocks.queryCount == 3_000 / 7 + 2)
        }
        let bad = text.replacingOccurrences(of: " 3:10.25 # row 1999\n", with: " 3:x # row 1999\n")
        #expect(bad != text)
        let (badDirectory, badPath) = try write(bad)
        defer { try? FileManager.default.removeItem(at: badDirectory) }
        let line = bad.prefix { $0 != "x" }.filter { $0 == "\n" }.count + 1
        let error = try #require(throws: LTRError.self) {
            try LETORReader.read(path: badPath, featureCount: nil, featureNames: nil, threads: 2, blockSize: 100)
        }
        #expect(error.message.hasPrefix("\(badPath):\(line):"), "\(error.message)")
    }

    @Test func reportsFileAndLine() throws {
        let (directory, path) = try write("1 qid:1 1:1\n0 qid:1 2:abc\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: LTRError.self) { try LETORReader.read(path: path) }
        #expect(error == .malformedInput)
        #expect(error.message.hasPrefix("\(path):2:"), "\(error.message)")
        #expect(error.message.contains("abc"))
    }

    @Test func rejectsBadInput() throws {
        func parse(_ text: String, groups: [Int]? = nil, schema: Int? = nil) throws -> Dataset {
            try LETORReader.parse(Data(text.utf8), name: "x", groupSizes: groups, featureCount: schema)
        }
        #expect(throws: LTRError.malformedInput) { try parse("abc qid:1 1:1\n") }
        #expect(throws: LTRError.malformedInput) { try parse("1 qid:1 0:1\n") }
        #expect(throws: LTRError.malformedInput) { try parse("1 qid:1 1\n") }
        #expect(throws: LTRError.malformedInput) { try parse("1 qid:1 9:1\n", schema: 3) }
        #expect(throws: LTRError.missingGroups) { try parse("1 1:1\n") }
        #expect(throws: LTRError.missingGroups) { try parse("1 qid:1 1:1\n0 1:1\n") }
        #expect(throws: LTRError.groupMismatch) { try parse("1 1:1\n0 1:1\n", groups: [1]) }
        #expect(throws: LTRError.groupMismatch) { try parse("1 qid:1 1:1\n0 qid:2 1:1\n1 qid:1 1:1\n") }
        #expect(throws: LTRError.emptyDataset) { try parse("# nothing\n\n") }
        let error = try #require(throws: LTRError.self) { try parse("1 1:1\n0 1:1\n", groups: [3]) }
        #expect(error.message.contains("add up to 3 rows") && error.message.contains("2 rows"))
    }

    @Test func rejectsBadGroupFile() throws {
        let (directory, path) = try write("1 1:1\n", query: "1\nx\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: LTRError.self) { try LETORReader.read(path: path) }
        #expect(error == .malformedInput && error.message.contains(".query:2:"))
        #expect(throws: LTRError.unreadableFile) { try LETORReader.read(path: path + ".missing") }
    }

    @Test func datasetChecksSizes() {
        #expect(throws: LTRError.groupMismatch) {
            try Dataset(features: [1, 2], featureCount: 1, labels: [0, 1], groupSizes: [1, 2])
        }
        #expect(throws: LTRError.groupMismatch) {
            try Dataset(features: [1, 2, 3], featureCount: 1, labels: [0, 1], groupSizes: [2])
        }
        #expect(throws: LTRError.groupMismatch) {
            try Dataset(features: [1, 2], featureCount: 1, labels: [0, 1], groupSizes: [2, 0])
        }
        #expect(throws: LTRError.emptyDataset) { try Dataset(features: [], featureCount: 1, labels: [], groupSizes: []) }
    }
}

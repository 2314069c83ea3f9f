import Foundation
import Testing

@testable import EventLog

@Suite struct CSVReaderTests {
    private func records(_ text: String) throws -> [CSVRecord] {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let path = directory + "/table.csv"
        try TestSupport.write(text, to: path)
        var reader = try CSVReader(path: path)
        var records: [CSVRecord] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    @Test func readsQuotedFieldsDoubledQuotesAndCRLF() throws {
        let parsed = try records("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\r\nplain,,\"\"\r\n")
        #expect(parsed.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", ""], ["plain", "", ""]])
        #expect(parsed.map(\.line) == [1, 2, 3])
    }

    @Test func quotedLineBreaksKeepLineNumbersRight() throws {
        let parsed = try records("id,note\n1,\"two\nlines\"\n\n2,after\r3,lone carriage return")
        #expect(
            parsed.map(\.fields) == [
                ["id", "note"], ["1", "two\nlines"], ["2", "after"], ["3", "lone carriage return"],
            ])
        #expect(parsed.map(\.line) == [1, 2, 5, 6])
    }

    @Test func dropsTheByteOrderMarkAndFlagsAnUnterminatedQuote() throws {
        let parsed = try records("\u{FEFF}USER_ID,ITEM_ID\nu1,\"never closed\n")
        #expect(parsed.first?.fields == ["USER_ID", "ITEM_ID"])
        #expect(parsed.last?.unterminatedQuote == true)
        #expect(parsed.last?.line == 2)
    }
}

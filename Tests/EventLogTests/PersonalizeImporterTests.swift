import Foundation
import RerankJSON
import Testing

@testable import EventLog

@Suite struct PersonalizeImporterTests {
    private let interactionsCSV =
        [
            "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE,SESSION_ID,QUERY",
            #"u1,i1,1735689600,Click,,mobile,s1,"usb cable, braided""#,
            "u1,i2,1735689660,Add To Cart,12.5,mobile,s1,usb",
            "u2,i1,yesterday,click,,desktop,,",
            "u2,i3,1735689700,purchase",
            #""u3","i""4",1735689800,Purchase,3,"tablet, landscape",s9,"#,
            ",i5,1735689900,click,,,,",
            "u4,i5,1735689900000,click,,,,",
            "u4,i6,1735690000,click,abc,,,",
        ].joined(separator: "\r\n") + "\r\n"

    private func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func importsInteractionsAndReportsBadRows() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let csv = directory + "/interactions.csv"
        try TestSupport.write(interactionsCSV, to: csv)
        let output = directory + "/logs"

        let summary = try PersonalizeImporter().run(interactions: csv, output: output)
        #expect(summary.interactions.rowsRead == 8)
        #expect(summary.interactions.imported == 3)
        #expect(
            summary.interactions.rejectedByReason == [
                "bad TIMESTAMP": 2, "wrong number of columns": 1, "missing USER_ID": 1, "bad EVENT_VALUE": 1,
            ])
        #expect(summary.interactions.rejections.map(\.location.line) == [4, 5, 7, 8, 9])
        #expect(summary.interactions.rejections[3].reason.contains("milliseconds"))
        #expect(summary.outputFiles == [output + "/ubi_events-personalize.ndjson"])
        #expect(summary.text.contains("\(csv): 8 rows read, 3 imported, 5 rejected"))
        #expect(summary.text.contains("  - \(csv):4: bad TIMESTAMP: 'yesterday' is not epoch seconds"))
        #expect(summary.text.contains("no ubi_queries records were written"))

        let log = try InteractionLogReader().read(output)
        #expect(log.problems.isEmpty)
        #expect(log.queries.isEmpty)
        #expect(log.events.map(\.actionName) == ["click", "add_to_cart", "purchase"])
        let click = log.events[0]
        #expect(click.clientID == "u1")
        #expect(click.sessionID == "s1")
        #expect(click.userQuery == "usb cable, braided")
        #expect(click.queryID == nil)
        #expect(click.objectID == "i1")
        #expect(click.objectIDField == "item_id")
        #expect(click.attributes["device"] == .string("mobile"))
        #expect(click.attributes["value"] == nil)
        #expect(UBITimestamp.string(from: click.timestamp) == "2025-01-01T00:00:00.000Z")
        #expect(log.events[1].attributes["value"] == .number("12.5"))
        #expect(log.events[2].objectID == #"i"4"#)
        #expect(log.events[2].attributes["device"] == .string("tablet, landscape"))
        #expect(log.events[2].userQuery == nil)
    }

    @Test func writesItemAndUserMetadataWithNumbersAndLists() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        try TestSupport.write(interactionsCSV, to: directory + "/interactions.csv")
        try TestSupport.write(
            "ITEM_ID,CATEGORY,BRAND,PRICE,ZIP\ni1,electronics|cables,Acme,9.99,007\ni2,\"books\",,12,\n,toys,x,1,\n",
            to: directory + "/items.csv")
        try TestSupport.write("USER_ID,AGE,MEMBERSHIP\nu1,34,gold\n", to: directory + "/users.csv")
        let output = directory + "/logs"

        let summary = try PersonalizeImporter().run(
            interactions: directory + "/interactions.csv", items: directory + "/items.csv",
            users: directory + "/users.csv", output: output)
        #expect(summary.items?.imported == 2)
        #expect(summary.items?.rejectedByReason == ["missing ITEM_ID": 1])
        #expect(summary.items?.rejections.first?.location.line == 4)
        #expect(summary.users?.imported == 1)
        #expect(
            try lines(output + "/items.ndjson") == [
                #"{"id":"i1","category":["electronics","cables"],"brand":"Acme","price":9.99,"zip":"007"}"#,
                #"{"id":"i2","category":"books","price":12}"#,
            ])
        #expect(try lines(output + "/users.ndjson") == [#"{"id":"u1","age":34,"membership":"gold"}"#])
        // The metadata files sit beside the events without confusing the log reader.
        #expect(try InteractionLogReader().read(output).problems.isEmpty)
        let hidden = try FileManager.default.contentsOfDirectory(atPath: output).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty)
    }

    @Test func aMissingColumnFailsTheWholeImportBeforeWriting() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        try TestSupport.write(interactionsCSV, to: directory + "/interactions.csv")
        try TestSupport.write("SKU,CATEGORY\ni1,x\n", to: directory + "/items.csv")
        let output = directory + "/logs"
        let message = errorMessage {
            _ = try PersonalizeImporter().run(
                interactions: directory + "/interactions.csv", items: directory + "/items.csv", output: output)
        }
        #expect(message.contains("items.csv has no ITEM_ID column (header: SKU,CATEGORY)"))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func impressionColumnGivesPositionsAndExtraColumnsKeepTheirNames() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        try TestSupport.write(
            "user_id,item_id,timestamp,event_type,IMPRESSION,Recommendation_Id\nu1,b,1735689600,watch,a|b|c,r-7\n",
            to: directory + "/interactions.csv")
        _ = try PersonalizeImporter().run(interactions: directory + "/interactions.csv", output: directory)
        let event = try #require(try InteractionLogReader().read(directory).events.first)
        #expect(event.position == 1)
        #expect(event.attributes["impression"] == .array([.string("a"), .string("b"), .string("c")]))
        #expect(event.attributes["recommendation_id"] == .string("r-7"))
    }
}

import Foundation
import RerankJSON
import Testing

@testable import RerankServer

/// The `_bulk` body of spooled records and the reading of its answer.
@Suite struct BulkRequestTests {
    @Test func bodyCreatesEachRecordUnderItsID() {
        let request = BulkRequest(index: "ubi_events", items: [
            .init(id: "a", document: Array(#"{"action_name":"click"}"#.utf8)),
            .init(id: "b", document: Array(#"{"action_name":"purchase"}"#.utf8)),
        ])
        let expected = """
            {"create":{"_index":"ubi_events","_id":"a"}}
            {"action_name":"click"}
            {"create":{"_index":"ubi_events","_id":"b"}}
            {"action_name":"purchase"}

            """
        #expect(String(buffer: request.body) == expected)
    }

    @Test func answersSortIntoStoredRetriedAndRejected() throws {
        let items = (0..<5).map { BulkRequest.Item(id: "d\($0)", document: Array("{}".utf8)) }
        let request = BulkRequest(index: "ubi_events", items: items)
        let answer = #"""
            {"took":3,"errors":true,"items":[
              {"create":{"_id":"d0","status":201,"result":"created"}},
              {"create":{"_id":"d1","status":409,"error":{"type":"version_conflict_engine_exception","reason":"[d1]: version conflict, document already exists"}}},
              {"create":{"_id":"d2","status":429,"error":{"type":"es_rejected_execution_exception","reason":"queue full"}}},
              {"create":{"_id":"d3","status":503,"error":{"type":"unavailable_shards_exception","reason":"primary shard is not active"}}},
              {"create":{"_id":"d4","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [timestamp]"}}}
            ]}
            """#
        let outcomes = try request.outcomes(of: Array(answer.utf8))
        let kinds = outcomes.map { outcome -> String in
            switch outcome {
            case .stored: "stored"
            case .retry(let reason): "retry: \(reason)"
            case .rejected(let status, let error): "rejected \(status): \(error["type"]?.stringValue ?? "")"
            }
        }
        #expect(kinds == [
            "stored", "stored", "retry: queue full", "retry: primary shard is not active",
            "rejected 400: mapper_parsing_exception",
        ])
    }

    @Test func anAnswerForOtherItemsIsNotTrusted() {
        let request = BulkRequest(index: "ubi_queries", items: [.init(id: "q", document: Array("{}".utf8))])
        let error = #expect(throws: ClusterLogError.self) { _ = try request.outcomes(of: Array(#"{"errors":false,"items":[]}"#.utf8)) }
        #expect(error?.message.contains("expected 1 items") == true)
        #expect(throws: ClusterLogError.self) { _ = try request.outcomes(of: Array("<html>".utf8)) }
    }
}

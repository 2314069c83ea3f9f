extension UBIIndex {
    /// `ubi_queries`: one document per served search, its id the record's `query_id`.
    static let queries = UBIIndex(name: "ubi_queries", idField: "query_id", body: queriesBody)

    /// `ubi_events`: one document per user action, its id the `event_id` given at acceptance (records written
    /// before events had ids: a hash of the record's bytes).
    static let events = UBIIndex(name: "ubi_events", idField: "event_id", body: eventsBody)

    /// The index body of `ubi_queries`, the same as `mappings/ubi_queries.json`.
    private static let queriesBody = #"""
        {
          "mappings": {
            "dynamic": true,
            "properties": {
              "application": { "type": "keyword" },
              "query_id": { "type": "keyword" },
              "client_id": { "type": "keyword" },
              "user_query": { "type": "text", "fields": { "keyword": { "type": "keyword", "ignore_above": 256 } } },
              "query_response_id": { "type": "keyword" },
              "query_response_hit_ids": { "type": "keyword" },
              "timestamp": { "type": "date" },
              "rerank_instance": { "type": "keyword" },
              "rerank_seq": { "type": "long" },
              "rerank_logged_at": { "type": "date" },
              "query_attributes": {
                "type": "object",
                "dynamic": true,
                "properties": {
                  "search_scores": { "type": "float" }
                }
              }
            }
          }
        }
        """#

    /// The index body of `ubi_events`, the same as `mappings/ubi_events.json`.
    private static let eventsBody = #"""
        {
          "mappings": {
            "dynamic": true,
            "properties": {
              "application": { "type": "keyword" },
              "action_name": { "type": "keyword" },
              "event_id": { "type": "keyword" },
              "query_id": { "type": "keyword" },
              "client_id": { "type": "keyword" },
              "session_id": { "type": "keyword" },
              "user_id": { "type": "keyword" },
              "user_query": { "type": "text", "fields": { "keyword": { "type": "keyword", "ignore_above": 256 } } },
              "message_type": { "type": "keyword" },
              "message": { "type": "text" },
              "timestamp": { "type": "date" },
              "rerank_instance": { "type": "keyword" },
              "rerank_seq": { "type": "long" },
              "rerank_logged_at": { "type": "date" },
              "event_attributes": {
                "type": "object",
                "dynamic": true,
                "properties": {
                  "object": {
                    "type": "object",
                    "dynamic": true,
                    "properties": {
                      "object_id": { "type": "keyword" },
                      "object_id_field": { "type": "keyword" },
                      "description": { "type": "text" }
                    }
                  },
                  "position": {
                    "type": "object",
                    "dynamic": true,
                    "properties": {
                      "ordinal": { "type": "integer" },
                      "x": { "type": "integer" },
                      "y": { "type": "integer" },
                      "page_depth": { "type": "integer" },
                      "scroll_depth": { "type": "integer" }
                    }
                  }
                }
              }
            }
          }
        }
        """#
}

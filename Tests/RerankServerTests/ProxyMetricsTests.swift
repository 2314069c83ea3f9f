import RerankCore
import Testing

@testable import RerankServer

/// The metrics every search records, through handles made once per label values.
@Suite struct ProxyMetricsTests {
    static func exposition(_ metrics: ProxyMetrics) -> String {
        String(decoding: metrics.exposition(), as: UTF8.self)
    }

    @Test func handlesMadeOnceCountIntoTheSameMetrics() {
        let metrics = ProxyMetrics()
        for status in [200, 200, 404] { metrics.request(route: "search", status: status, duration: .milliseconds(3)) }
        metrics.upstream(route: "search", duration: .milliseconds(2))
        metrics.rerank(.skipped("reranking disabled"), duration: .zero)
        metrics.rerank(.skipped("page beyond max_window 500"), duration: .zero)
        metrics.rerank(.skipped("page beyond max_window 1000"), duration: .zero)
        metrics.rerank(.fallback("ranker error: no such column 7"), duration: .zero)
        metrics.rerank(.reranked, duration: .milliseconds(1))
        metrics.indexSearch(.reranked, indexConfig: "books")
        metrics.indexSearch(.reranked, indexConfig: "books")
        let text = Self.exposition(metrics)
        for line in [
            #"rerank_http_requests_total{route="search",status="200"} 2"#,
            #"rerank_http_requests_total{route="search",status="404"} 1"#,
            #"rerank_http_request_duration_seconds_count{route="search"} 3"#,
            #"rerank_upstream_duration_seconds_count{route="search"} 1"#,
            #"rerank_searches_total{outcome="skipped"} 3"#,
            #"rerank_searches_total{outcome="fallback"} 1"#,
            #"rerank_searches_total{outcome="reranked"} 1"#,
            #"rerank_skips_total{reason="reranking disabled"} 1"#,
            #"rerank_skips_total{reason="page beyond max_window"} 2"#,
            #"rerank_fallbacks_total{reason="ranker error"} 1"#,
            "rerank_rerank_duration_seconds_count 1",
            #"rerank_index_searches_total{index_config="books",outcome="reranked"} 2"#,
        ] {
            #expect(text.contains(line + "\n"), "\(line)")
        }
    }

    @Test func asciiReasonLabelsAreTheCharacterWiseOnes() {
        func characterWise(_ reason: String) -> String {
            String(reason.prefix { $0 != ":" && !$0.isNumber }).trimmingCharacters(in: .whitespaces)
        }
        var reasons = [
            "reranking disabled", "budget exceeded", "ranker error: bad row", " size 0 ", "upstream status 503", "\tsort\t",
            "unparseable response: expected ',' at 1234", "", ":", "7", "a\r\nb: c",
        ]
        for byte in UInt8(0)..<128 {
            let c = String(decoding: [byte], as: UTF8.self)
            reasons += ["\(c)reason \(c)", "x\(c)", "\(c)"]
        }
        var random = SplitMix64(seed: 5)
        reasons += (0..<2_000).map { _ in
            String(decoding: (0..<Int(random.next() % 20)).map { _ in UInt8(random.next() % 128) }, as: UTF8.self)
        }
        for reason in reasons {
            #expect(ProxyMetrics.asciiReasonLabel(reason) == characterWise(reason), "\(reason.debugDescription)")
        }
        #expect(ProxyMetrics.asciiReasonLabel("café: fermé") == nil)
        #expect(ProxyMetrics.reasonLabel(" café fermé: 3 ") == "café fermé")
    }
}

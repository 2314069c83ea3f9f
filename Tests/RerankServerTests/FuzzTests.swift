import Foundation
import Ranking
import RerankCore
import RerankJSON
import RerankTesting
import Testing

@testable import RerankServer

/// Property-based fuzzing of everything that reads untrusted JSON: the request-body parser and search planner,
/// the hit scanner, field selector and splicer, and the whole response reranker. Seeded structured documents
/// plus byte mutations; no input may trap or hang, and where an input is valid the fast paths must agree with a
/// full parse.
///
/// Each test runs for `RERANK_FUZZ_SECONDS` (default 2) from `RERANK_FUZZ_SEED` (default fixed, printed), so CI is
/// short and reproducible; `bench/fuzz/run.sh SECONDS` runs the long form. Serialized: each property is a
/// synchronous loop that holds a thread of the cooperative pool, which on a 2-core machine has only two.
@Suite(.serialized) struct FuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seconds = environment["RERANK_FUZZ_SECONDS"].flatMap(Double.init) ?? 2
    static let seed = environment["RERANK_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_123
    /// A hang fails the test instead of stalling the run.
    static let timeLimit = TimeLimitTrait.Duration.minutes(Int(seconds / 60) + 3)

    /// Runs `body` with a fuzzer of its own stream until the time budget is spent, and prints the seed.
    static func fuzz(_ name: String, stream: UInt64, _ body: (inout JSONFuzzer, Int) async throws -> Void) async rethrows {
        let streamSeed = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        var fuzzer = JSONFuzzer(seed: streamSeed)
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int64(seconds * 1000))
        var count = 0
        while clock.now < end {
            try await body(&fuzzer, count)
            count += 1
        }
        print("fuzz \(name): seed \(seed) (RERANK_FUZZ_SEED), \(count) inputs in \(seconds)s")
    }

    static func describe(_ bytes: [UInt8], _ input: Int) -> Comment {
        "seed \(seed) input \(input): \(String(decoding: bytes.prefix(300), as: UTF8.self).debugDescription)"
    }

    @Test(.timeLimit(timeLimit)) func parserAndWriterAgree() async {
        await Self.fuzz("parser", stream: 1) { fuzzer, input in
            let value = fuzzer.value(depth: 6)
            let bytes = JSONWriter.bytes(value)
            #expect((try? JSONParser.parse(bytes)) == value, Self.describe(bytes, input))
            let mutated = fuzzer.mutate(bytes)
            // A mutated document is either refused with a JSONError (typed throws: nothing else can escape) or
            // parses to a value that writes back to the same value.
            if let parsed = try? JSONParser.parse(mutated) {
                #expect((try? JSONParser.parse(JSONWriter.bytes(parsed))) == parsed, Self.describe(mutated, input))
            }
        }
    }

    @Test(.timeLimit(timeLimit)) func scannerAgreesWithAFullParse() async throws {
        let selector = FieldSelector(paths: ["popularity", "price.amount", "tags", "title", "missing"])
        try await Self.fuzz("scanner", stream: 2) { fuzzer, input in
            let response = fuzzer.searchResponse()
            let bytes = JSONWriter.bytes(response)
            let comment = Self.describe(bytes, input)
            let layout = try #require(try HitScanner.scan(bytes), comment)
            let hits = response.objectValue?["hits"]?.objectValue?["hits"]?.arrayValue ?? []
            #expect(layout.hits.count == hits.count, comment)
            for (scanned, parsed) in zip(layout.hits, hits) {
                let object = try #require(parsed.objectValue)
                #expect(try JSONParser.parse(bytes, range: scanned.range) == parsed, comment)
                #expect(scanned.id == object["_id"]?.stringValue, comment)
                #expect(scanned.score == object["_score"]?.doubleValue, comment)
                let source = object["_source"]?.objectValue
                #expect(scanned.source.flatMap { try? JSONParser.parse(bytes, range: $0) } == source.map(JSONValue.object), comment)
                if let range = scanned.source, let source {
                    var expected: [String: JSONValue] = [:]
                    for path in selector.paths {
                        let parts = path.split(separator: ".").map(String.init)
                        var value: JSONValue? = .object(source)
                        for part in parts { value = value?.objectValue?[part] }
                        if let value { expected[path] = value }
                    }
                    #expect(selector.values(in: bytes, object: range).present == expected, comment)
                }
            }
            let reversed = ResponseSplicer.splice(bytes, layout: layout, emitted: layout.hits.indices.reversed().map { .init(hit: $0) })
            var expected = try #require(response.objectValue)
            var hitsObject = try #require(expected["hits"]?.objectValue)
            hitsObject["hits"] = .array(hits.reversed())
            expected["hits"] = .object(hitsObject)
            #expect(try JSONParser.parse(reversed) == .object(expected), comment)

            let mutated = fuzzer.mutate(bytes)
            let mutatedComment = Self.describe(mutated, input)
            let parsed = try? JSONParser.parse(mutated)
            let valid = parsed != nil
            do throws(JSONError) {
                if let layout = try HitScanner.scan(mutated) {
                    for hit in layout.hits {
                        if valid { #expect((try? JSONParser.parse(mutated, range: hit.range))?.objectValue != nil, mutatedComment) }
                        if let source = hit.source { _ = selector.values(in: mutated, object: source) }
                    }
                    let spliced = ResponseSplicer.splice(mutated, layout: layout, emitted: layout.hits.indices.reversed().map { .init(hit: $0) })
                    if valid { #expect((try? JSONParser.parse(spliced)) != nil, mutatedComment) }
                }
            } catch {
                // The scanner reads structure only, so it may pass strings the parser refuses, but it refuses a
                // valid document only when it is not an object (no search response) or a hit is not an object.
                if parsed?.objectValue != nil { #expect(error.reason == "a hit must be an object", mutatedComment) }
            }
            _ = try? HitScanner.multiSearchResponses(mutated)
        }
    }

    @Test(.timeLimit(timeLimit)) func plannerAnswersEveryBodyWithAPlanOrAClearError() async throws {
        let planner = SearchPlanner(window: 100, maxWindow: 1000)
        let contexts = ContextBuilder(defaultTimeZone: "UTC", now: { Date(timeIntervalSince1970: 1_795_447_800) })
        try await Self.fuzz("planner", stream: 3) { fuzzer, input in
            let generated = JSONWriter.bytes(fuzzer.searchBody())
            for body in [generated, fuzzer.mutate(generated)] {
                let comment = Self.describe(body, input)
                let query = fuzzer.queryString()
                // Typed throws: a bad body can only end as a RerankError, which becomes a 400 at the edge.
                guard let plan = try? planner.plan(body: body, query: query, fields: ["popularity", "in_stock"]) else { continue }
                if let forwarded = plan.body {
                    let object = try #require(try JSONParser.parse(forwarded).objectValue, comment)
                    #expect(object["ext"]?.objectValue?["rerank"] == nil, comment)
                    if let page = plan.page {
                        #expect(object["from"] == .int(0), comment)
                        #expect(object["size"] == .int(max(100, page.from + page.size)), comment)
                        #expect(page.from >= 0 && page.size > 0 && page.from + page.size <= 1000, comment)
                    }
                }
                _ = try? contexts.context(headers: .init(), extension: plan.rerankExtension)
            }
            let lines = (0..<fuzzer.below(4)).flatMap { _ in [JSONWriter.bytes(fuzzer.value(depth: 1)), generated] }
            _ = try? MultiSearchBody.parse(fuzzer.mutate(Array(lines.joined(separator: [0x0A]))))
        }
    }

    @Test(.timeLimit(timeLimit)) func rerankerFailsOpenOnAnyResponse() async throws {
        let reranker = Reranker(
            ranker: SignalRanker(signals: [.init(field: "popularity", transform: .log1p), .init(field: "price.amount", weight: -0.1)]),
            rules: [
                .init(action: .bury, match: .field("in_stock", [.bool(false)])),
                .init(action: .pin(1), match: .ids(["doc-3"])),
                .init(action: .exclude, match: .ids(["doc-5"])),
            ]
        )
        let serving = ResponseReranker(serving: ServingReranker(reranker), deadline: RankingDeadline(budget: .seconds(60)))
        try await Self.fuzz("reranker", stream: 4) { fuzzer, input in
            let generated = JSONWriter.bytes(fuzzer.searchResponse())
            for bytes in [generated, fuzzer.mutate(generated)] {
                let comment = Self.describe(bytes, input)
                let page = SearchPlan.Page(from: fuzzer.below(40), size: 1 + fuzzer.below(40))
                let context = SearchContext(explain: fuzzer.chance(0.5))
                let served = await serving.rerank(bytes, page: page, context: context)
                guard (try? JSONParser.parse(bytes)) != nil else { continue }
                let output = try #require(try? JSONParser.parse(served.bytes), comment)
                if served.outcome == .reranked {
                    let hits = try #require(output.objectValue?["hits"]?.objectValue?["hits"]?.arrayValue, comment)
                    #expect(hits.count <= page.size, comment)
                    #expect(!hits.contains { $0.objectValue?["_id"] == .string("doc-5") }, comment)
                }
            }
        }
    }
}

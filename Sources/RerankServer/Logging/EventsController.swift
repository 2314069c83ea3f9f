import EventLog
import Foundation
import Hummingbird
import NIOCore
import RerankCore
import RerankJSON

/// `POST /_rerank/events`: UBI events (clicks, add-to-carts, purchases, ...) from the storefront.
///
/// The body is one JSON event, a JSON array of events, or NDJSON (one event per line). Each event gets its own
/// result, as `_bulk` items do; a malformed line rejects that line only. The answer comes only once every
/// accepted event is durable, so an acknowledged event is never lost. Every accepted event has an `event_id`
/// (the client's, or one given at acceptance, ``EventID``), stored with it and answered as its `_id`: it is the
/// event's document id in the cluster, so identical events stay distinct and a re-sent record is stored once.
struct EventsController: Sendable {
    /// Where accepted events are stored; nil when logging is off.
    let sink: (any RecordSink)?
    let maxRequestBody: Int
    /// How long a request body may take to arrive.
    let bodyTimeout: Duration
    let now: @Sendable () -> Date
    let metrics: ProxyMetrics
    /// Replaces client and session ids by pseudonyms before anything is stored; nil keeps them as sent.
    let hasher: UserIDHasher?
    /// Seconds an event's timestamp may be ahead of the sidecar's clock; later ones are refused.
    let maxClockSkew: Double
    /// Called with the accepted events once they are durable (online state updates).
    let accepted: @Sendable ([UBIEvent]) -> Void

    func register(on router: Router<some RequestContext>) {
        router.post("/_rerank/events") { request, _ in
            do {
                return try await ingest(request)
            } catch let error as RerankError {
                return error.response()
            }
        }
    }

    private func ingest(_ request: Request) async throws -> Response {
        guard let sink else { throw RerankError.logUnavailable("event logging is off; start the sidecar with --log-dir DIR or set log.cluster") }
        let start = ContinuousClock.now
        var request = request
        let body = try await RequestBodyDeadline(limit: maxRequestBody, timeout: bodyTimeout).collect(&request)
        // The batch is parsed, logged (encoded to NDJSON), applied and answered on the ingestion queue: the event
        // loops, which also serve the searches, only receive the body and send the answer.
        let answer = try await withTaskExecutorPreference(OffPoolQueue.ingestion.executor) {
            try await accept(Array(buffer: body), sink: sink, start: start)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: answer))
        )
    }

    /// Parses, stores and applies a batch; the `_bulk`-shaped answer.
    private func accept(_ bytes: [UInt8], sink: any RecordSink, start: ContinuousClock.Instant) async throws -> [UInt8] {
        var (events, results) = Self.parse(bytes, now: now(), maxClockSkew: maxClockSkew)
        if let hasher {
            for index in events.indices { hasher.pseudonymize(&events[index]) }
        }
        if !events.isEmpty {
            do {
                try await sink.append(events.map(\.json))
            } catch {
                metrics.eventsRejected(events.count, reason: "log unavailable")
                throw RerankError.logUnavailable(String(describing: error))
            }
            accepted(events)
        }
        metrics.eventsAccepted(events.count)
        metrics.eventsRejected(results.count - events.count, reason: "invalid")
        let took = ContinuousClock.now - start
        let milliseconds = took.components.attoseconds / 1_000_000_000_000_000 + took.components.seconds * 1000
        let answer = JSONObject([
            "took": .int(Int(milliseconds)),
            "errors": .bool(events.count < results.count),
            "items": .array(results.map(JSONValue.object)),
        ])
        return JSONWriter.bytes(.object(answer))
    }

    /// Reads the events of a body: the valid ones, and one result per event (accepted or why not). Events dated
    /// more than `maxClockSkew` seconds after `now` are refused: they would sit in the statistics as the future.
    /// Events without an `event_id` get one.
    static func parse(_ bytes: [UInt8], now: Date, maxClockSkew: Double) -> (events: [UBIEvent], results: [JSONObject]) {
        var ids = EventID.Generator()
        var documents: [(line: Int, value: Result<JSONValue, JSONError>)] = []
        if let whole = try? JSONParser.parse(bytes), whole.arrayValue != nil || whole.objectValue != nil {
            for element in whole.arrayValue ?? [whole] { documents.append((1, .success(element))) }
        } else {
            for (number, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
                let text = Array(line.last == UInt8(ascii: "\r") ? line.dropLast() : line)
                if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                documents.append((number + 1, Result { () throws(JSONError) in try JSONParser.parse(text) }))
            }
        }
        var events: [UBIEvent] = []
        var results: [JSONObject] = []
        let arrival = JSONValue.string(UBITimestamp.string(from: now))
        for document in documents {
            do throws(EventRejection) {
                guard case .success(let value) = document.value else {
                    if case .failure(let error) = document.value { throw EventRejection("not valid JSON: \(error)") }
                    continue
                }
                guard var object = value.objectValue else { throw EventRejection("an event must be a JSON object, not \(value.kindName)") }
                if object["timestamp"] == nil { object["timestamp"] = arrival }
                let id: String
                switch object["event_id"] {
                case nil, .null?:
                    id = ids.next(at: now)
                    object["event_id"] = .string(id)
                case .string(let given)? where !given.isEmpty && given.utf8.count <= EventID.maxBytes:
                    id = given
                default:
                    throw EventRejection("[event_id] must be a non-empty string of at most \(EventID.maxBytes) bytes (it is the event's document id), or absent")
                }
                let event: UBIEvent
                do {
                    event = try UBIEvent(json: object)
                } catch {
                    throw EventRejection(error.description)
                }
                let ahead = event.timestamp.timeIntervalSince(now)
                if ahead > maxClockSkew {
                    throw EventRejection("[timestamp] \(UBITimestamp.string(from: event.timestamp)) is \(Int(ahead)) s ahead of the sidecar's clock (\(UBITimestamp.string(from: now))), more than limits.max_clock_skew_s (\(Int(maxClockSkew)) s): send the time the event happened, or fix the client's clock")
                }
                if ["click", "add_to_cart", "purchase"].contains(event.actionName), event.objectID == nil {
                    throw EventRejection("[event_attributes.object.object_id] is required for \(event.actionName) events: name the item acted on")
                }
                events.append(event)
                results.append(JSONObject([
                    "line": .int(document.line), "_id": .string(id), "status": .int(201), "result": .string("created"),
                ]))
            } catch {
                let failure = JSONObject(["type": .string("illegal_argument_exception"), "reason": .string(error.reason)])
                results.append(JSONObject(["line": .int(document.line), "status": .int(400), "error": .object(failure)]))
            }
        }
        return (events, results)
    }
}

/// Why one event of a batch was refused.
struct EventRejection: Error {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}

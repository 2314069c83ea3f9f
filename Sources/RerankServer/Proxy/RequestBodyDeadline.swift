import Hummingbird
import NIOCore
import NIOPosix
import RerankCore
import Synchronization

/// Reads request bodies under a deadline, so a client that sends its body a byte at a time cannot hold a
/// handler (and its memory) open: the idle timeout alone does not bound it, since every byte counts as activity.
///
/// The body is read by one task, which a timer scheduled on an event loop cancels at the deadline. A task group
/// racing the read against a sleeping second task cost two child tasks per search; `Task.sleep` would also wake
/// Dispatch's timer thread (a write and two context switches per search, 3% of the sidecar's CPU in `perf`).
struct RequestBodyDeadline: Sendable {
    let limit: Int
    let timeout: Duration
    /// Where the timers run.
    var timers: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    /// The whole body, at most `limit` bytes, received within `timeout` of the call.
    ///
    /// A request that has no body (neither `Content-Length` nor `Transfer-Encoding`, or a zero length: most GETs)
    /// is answered at once, and one whose `Content-Length` is over `limit` is refused before a byte is read.
    ///
    /// - Throws: ``RerankError/requestTimeout(seconds:)`` when the body is late, ``RerankError/bodyTooLarge(limit:)``
    ///   when it is over `limit`, ``RerankError/invalidBody(_:)`` when the connection failed while reading.
    func collect(_ request: inout Request) async throws(RerankError) -> ByteBuffer {
        let length = request.headers[.contentLength].flatMap { Int($0) }
        if length == 0 || (length == nil && request.headers[.transferEncoding] == nil) {
            return ByteBuffer()
        }
        if let length, length > limit { throw .bodyTooLarge(limit: limit) }
        let reading = request
        let limit = limit
        let reader = Task {
            var request = reading
            return try await request.collectBody(upTo: limit)
        }
        // The deadline cancels the read, which ends the body stream; a client that goes away cancels it too.
        let expiry = Expiry()
        let timer = timers.any().scheduleTask(in: TimeAmount(timeout)) {
            expiry.fired.store(true, ordering: .relaxed)
            reader.cancel()
        }
        let outcome = await withTaskCancellationHandler {
            await reader.result
        } onCancel: {
            reader.cancel()
        }
        timer.cancel()
        switch outcome {
        case .success(let body):
            request.body = .init(buffer: body)
            return body
        case .failure where expiry.fired.load(ordering: .relaxed):
            throw .requestTimeout(seconds: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        case .failure(let error) where error is NIOTooManyBytesError:
            throw .bodyTooLarge(limit: limit)
        case .failure(let error):
            throw .invalidBody("could not read the request body: \(error)")
        }
    }

    /// Whether the deadline came before the body.
    private final class Expiry: Sendable {
        let fired = Atomic<Bool>(false)
    }
}

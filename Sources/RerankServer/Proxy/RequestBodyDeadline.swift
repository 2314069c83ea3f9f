import Hummingbird
import NIOCore
import NIOPosix
import RerankCore

/// Reads request bodies under a deadline, so a client that sends its body a byte at a time cannot hold a
/// handler (and its memory) open: the idle timeout alone does not bound it, since every byte counts as activity.
///
/// The deadline is a task scheduled on an event loop, not `Task.sleep`: a sleeping task is woken through
/// Dispatch's timer thread, which cost every search with a body a write to wake that thread and two context
/// switches (3% of the sidecar's CPU in `perf`).
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
        let timer = timers.any()
        let timeout = timeout
        let outcome = await withTaskGroup(of: Result<ByteBuffer, any Error>?.self) { group in
            group.addTask {
                var request = reading
                do {
                    return .success(try await request.collectBody(upTo: limit))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                await Self.sleep(for: timeout, on: timer)
                return nil
            }
            // The first to finish decides; cancelling the other ends the body stream or the timer.
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .success(let body)?:
            request.body = .init(buffer: body)
            return body
        case .failure(let error)? where error is NIOTooManyBytesError:
            throw .bodyTooLarge(limit: limit)
        case .failure(let error)?:
            throw .invalidBody("could not read the request body: \(error)")
        case nil:
            throw .requestTimeout(seconds: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        }
    }

    /// Returns after `duration`, or as soon as the task is cancelled.
    private static func sleep(for duration: Duration, on loop: any EventLoop) async {
        let scheduled = loop.scheduleTask(in: TimeAmount(duration)) {}
        await withTaskCancellationHandler {
            _ = try? await scheduled.futureResult.get()
        } onCancel: {
            scheduled.cancel()
        }
    }
}

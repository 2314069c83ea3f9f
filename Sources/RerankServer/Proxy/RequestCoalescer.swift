import NIOCore
import NIOHTTP1

/// Sends a request's head and body to the cluster in one write.
///
/// AsyncHTTPClient flushes a request's head as soon as it is written and its body in a second flush, so each
/// search went out in two TCP sends, and the cluster was woken for a head it could not act on yet. This handler,
/// on the connection's request parts, holds the flush that follows a head whose body is still to come
/// (`Content-Length` over 0), and lets the next one, after the body, take both.
final class RequestCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// Whether a head is written and its body not yet.
    private var bodyExpected = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            bodyExpected = head.headers.first(name: "content-length").flatMap { Int($0) }.map { $0 > 0 } ?? false
        case .body, .end:
            bodyExpected = false
        }
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        guard !bodyExpected else { return }
        context.flush()
    }

    /// Puts a coalescer on a new connection of AsyncHTTPClient's, between its request encoder and the handlers that
    /// write request parts (`HTTPClient.Configuration.http1_1ConnectionDebugInitializer`).
    @Sendable static func install(on channel: any Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            let encoder = try pipeline.handler(type: HTTPRequestEncoder.self)
            try pipeline.addHandler(RequestCoalescer(), position: .after(encoder))
        }
    }
}

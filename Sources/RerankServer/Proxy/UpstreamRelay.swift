import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// A cluster response handed on as it arrives: AsyncHTTPClient's delegate for a streamed exchange.
///
/// The head is handed over once it arrives (``head``), the body parts go into the ``Body`` made with the relay
/// (``make(on:)``) under backpressure: when the
/// client reads slower than the cluster sends, the relay stops asking AsyncHTTPClient for more until the client has
/// caught up, so a few parts at most are held at a time, whatever the size of the response. The deadline of a
/// delegate request is AsyncHTTPClient's own and covers the whole body: a cluster still sending at the deadline ends
/// the body with `HTTPClientError.deadlineExceeded` (the connection to it closed). A client that stops reading
/// (the body dropped or its reader cancelled, as when a part cannot be written to a client that has gone) cancels
/// the request; the relay does not hold the body, so that AsyncHTTPClient, which holds the relay until the request
/// ends, does not keep it alive.
///
/// AsyncHTTPClient calls the delegate on ``eventLoop`` only; the relay's own state lives there too.
final class UpstreamRelay: HTTPClientResponseDelegate, Sendable {
    typealias Response = Void
    typealias Body = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, Demand
    >

    /// The loop the request's delegate calls come on.
    let eventLoop: any EventLoop
    /// The response head, or the error that ended the request before it.
    let head: EventLoopFuture<HTTPResponseHead>

    private let headPromise: EventLoopPromise<HTTPResponseHead>
    private let source: Body.Source
    private let demand: Demand

    /// A relay whose delegate calls come on `eventLoop`, and the body it fills: its parts as they arrive, to
    /// iterate once.
    static func make(on eventLoop: any EventLoop) -> (relay: UpstreamRelay, body: Body) {
        let demand = Demand(eventLoop: eventLoop)
        // A few parts buffered before the cluster is asked to wait: enough to keep a fast client busy.
        let producer = Body.makeSequence(
            backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8), finishOnDeinit: true, delegate: demand)
        return (UpstreamRelay(eventLoop: eventLoop, source: producer.source, demand: demand), producer.sequence)
    }

    private init(eventLoop: any EventLoop, source: Body.Source, demand: Demand) {
        self.eventLoop = eventLoop
        headPromise = eventLoop.makePromise()
        head = headPromise.futureResult
        self.source = source
        self.demand = demand
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        demand.state.value.task = task
        headPromise.succeed(head)
        return eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        switch source.yield(buffer) {
        case .produceMore, .dropped:
            // Dropped: the client stopped reading, and `Demand.didTerminate` cancels the request.
            return eventLoop.makeSucceededVoidFuture()
        case .stopProducing:
            let resume = eventLoop.makePromise(of: Void.self)
            demand.state.value.waiting = resume
            return resume.futureResult
        }
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        demand.state.value.task = nil
        demand.resume()
        source.finish()
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        headPromise.fail(error)
        demand.state.value.task = nil
        demand.resume()
        source.finish(error)
    }

    /// The reader's side of the backpressure: tells the relay when the client wants more, or wants no more.
    final class Demand: NIOAsyncSequenceProducerDelegate, Sendable {
        struct State: Sendable {
            /// The request, once its head has arrived, to cancel when the client stops reading.
            var task: HTTPClient.Task<Void>?
            /// Completed when the client has read enough for the cluster to send again.
            var waiting: EventLoopPromise<Void>?
        }

        let eventLoop: any EventLoop
        let state: NIOLoopBoundBox<State>

        init(eventLoop: any EventLoop) {
            self.eventLoop = eventLoop
            state = .makeBoxSendingValue(State(), eventLoop: eventLoop)
        }

        /// Lets the cluster send again; on the loop.
        func resume() {
            let waiting = state.value.waiting
            state.value.waiting = nil
            waiting?.succeed()
        }

        func produceMore() {
            // Called from the reader's thread; the promise was stored on the loop in the same turn that was told
            // to stop, so a hop to the loop always finds it.
            eventLoop.execute { self.resume() }
        }

        func didTerminate() {
            eventLoop.execute {
                self.resume()
                self.state.value.task?.cancel()
            }
        }
    }
}

import Features
import Personalization
import ServiceLifecycle

/// Folds served searches into the live feature statistics off the request path.
///
/// A search only queues its impression (``submit(_:)``); this service wakes and applies what is queued, in
/// short exclusive sections, so searches never wait for ingestion.
final class OnlineStateService: Service, Sendable {
    let live: LiveFeatureState
    private let signal = WakeSignal()

    init(live: LiveFeatureState) {
        self.live = live
    }

    /// Queues a served search; wakes the service when it was idle.
    func submit(_ impression: LoggedImpression) {
        if live.enqueue(impression) { signal.wake() }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.signal.wait()
                let live = self.live
                await OffPoolQueue.ingestion.run { live.applyPending() }
            }
        }
    }
}

import Hummingbird
import RerankCore
import RerankJSON

/// The admin endpoints, behind ``AdminGuard``: `POST /_rerank/model/reload`, `POST /_rerank/experiments/reload`
/// and `GET /_rerank/stats`.
struct AdminController: Sendable {
    let token: String?
    let rerankers: RerankerStore
    /// The model file's watcher; nil when no model is configured.
    let modelWatcher: ModelWatcher?
    /// The watchers of the `indices` entries' own models.
    var indexWatchers: [ModelWatcher] = []
    /// The `indices` entries' names, in order.
    var indexConfigs: [String] = []
    /// The config file's experiment watcher; nil without `--config`.
    let experimentWatcher: ExperimentWatcher?
    let impressions: ImpressionLog?
    let hashesUserIDs: Bool

    func register(on router: Router<some RequestContext>) {
        let admin = router.group().add(middleware: AdminGuard(token: token))
        admin.post("/_rerank/model/reload") { request, _ in
            let watcher: ModelWatcher?
            if let name = request.uri.queryParameters.get("index_config") {
                watcher = indexWatchers.first { $0.indexConfig == name }
                guard watcher != nil else {
                    let names = indexWatchers.compactMap(\.indexConfig)
                    return RerankError.notFound("no indices entry named '\(name)' serves a model of its own; those that do: \(names.isEmpty ? "none" : names.joined(separator: ", "))").response()
                }
            } else {
                watcher = modelWatcher
            }
            guard let modelWatcher = watcher else {
                return RerankError.notFound("no model is configured; start the sidecar with --model FILE").response()
            }
            do throws(RerankError) {
                let version = try await OffPoolQueue.fileLoads.run { () throws(RerankError) in try modelWatcher.reload() }
                return OperationsController.json(.ok, JSONObject(["reloaded": .bool(true), "version": .string(version)]))
            } catch {
                return error.response()
            }
        }
        admin.post("/_rerank/experiments/reload") { _, _ in
            guard let experimentWatcher else {
                return RerankError.notFound("no config file to reload experiments from; start the sidecar with --config FILE").response()
            }
            do throws(RerankError) {
                let names = try await OffPoolQueue.fileLoads.run { () throws(RerankError) in try experimentWatcher.reload() }
                return OperationsController.json(
                    .ok, JSONObject(["reloaded": .bool(true), "experiments": .array(names.map(JSONValue.string))]))
            } catch {
                return error.response()
            }
        }
        admin.get("/_rerank/stats") { _, _ in
            OperationsController.json(.ok, stats())
        }
    }

    /// What is serving and how full the sidecar's bounded structures are.
    func stats() -> JSONObject {
        var model = JSONObject(["version": .string(rerankers.serving.reranker.version)])
        if let modelWatcher { model["path"] = .string(modelWatcher.path) }
        var stats = JSONObject(["model": .object(model), "hash_user_ids": .bool(hashesUserIDs)])
        if let live = modelWatcher?.live {
            let tables = live.statistics.tables.sorted { $0.name < $1.name }
            stats["online_state"] = .object(JSONObject(tables.map { JSONObject.Member(key: $0.name, value: .int($0.entries)) }))
        }
        if !indexConfigs.isEmpty {
            let snapshot = rerankers.snapshot
            stats["indices"] = .array(
                zip(indexConfigs, snapshot.indices).map { name, serving in
                    var entry = JSONObject(["name": .string(name), "version": .string(serving.reranker.version)])
                    if let watcher = indexWatchers.first(where: { $0.indexConfig == name }) {
                        entry["path"] = .string(watcher.path)
                        let tables = watcher.live.statistics.tables.sorted { $0.name < $1.name }
                        entry["online_state"] = .object(JSONObject(tables.map { JSONObject.Member(key: $0.name, value: .int($0.entries)) }))
                    }
                    return .object(entry)
                })
        }
        if let impressions {
            stats["impression_queue"] = .object(
                JSONObject(["depth": .int(impressions.depth), "capacity": .int(impressions.queueCapacity)]))
        }
        return stats
    }
}

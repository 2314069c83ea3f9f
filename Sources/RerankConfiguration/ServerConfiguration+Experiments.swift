import EventLog
import Experiments
import Foundation

extension ServerConfiguration {
    /// Reads the `experiments` array; every error names the key path, e.g. `experiments[0].variants[1].model`.
    ///
    /// Experiment keys: `name` (required; letters, digits, `-`, `_`, `.`), `salt` (default: the name), `type`
    /// (`ab`, the default, or `interleaving`), `traffic` (0…1, default 1), `start` and `stop` (ISO-8601 times,
    /// optional) and `variants` (required, the control first). Variant keys: `name` (required), `share` (A/B
    /// only; all given or none, summing to 1; none splits equally), `rerank` (default true; false serves the
    /// engine's order), `weight` (0…1), `model` (a model file; needs `rerank.model`, whose live statistics it
    /// reads), `rules` (business rules replacing `rerank.rules`) and `exploration` (replacing `rerank.exploration`;
    /// keys left out take their defaults, see ``exploration(_:)``).
    static func experiments(_ readers: [ConfigReader]) throws(ConfigurationError) -> [Experiment] {
        var experiments: [Experiment] = []
        for reader in readers {
            let experiment = try experiment(reader)
            if experiments.contains(where: { $0.name == experiment.name }) {
                throw ConfigurationError.invalidValue("configuration key '\(reader.key("name"))': experiment '\(experiment.name)' is declared twice; names must be unique")
            }
            experiments.append(experiment)
        }
        return experiments
    }

    /// Fails when a variant names a model but no model is served.
    ///
    /// Checked when the application is built rather than in `validate()`, since `rerank.model` may come from a
    /// later source (`--model`) than the experiments.
    public func checkVariantModels() throws(ConfigurationError) {
        guard rerank.model == nil else { return }
        for (index, experiment) in experiments.enumerated() {
            for (variantIndex, variant) in experiment.variants.enumerated() {
                guard case .on(let settings) = variant.treatment, settings.model != nil else { continue }
                throw ConfigurationError.missingKey(
                    "configuration key 'experiments[\(index)].variants[\(variantIndex)].model' needs rerank.model (--model): a variant's model reads the served model's live statistics"
                )
            }
        }
    }

    private static func experiment(_ reader: ConfigReader) throws(ConfigurationError) -> Experiment {
        try reader.requireKnownKeys(["name", "salt", "type", "traffic", "start", "stop", "variants"])
        let name = try name(reader, reserved: [])
        let typeName = try reader.string("type") ?? Experiment.Kind.abTest.rawValue
        guard let kind = Experiment.Kind(rawValue: typeName) else {
            throw ConfigurationError.invalidValue("configuration key '\(reader.key("type"))' must be ab or interleaving, not '\(typeName)'")
        }
        let start = try time(reader, "start")
        let stop = try time(reader, "stop")
        if let start, let stop, stop <= start {
            throw ConfigurationError.invalidValue("configuration key '\(reader.key("stop"))' must be later than '\(reader.key("start"))'")
        }
        guard let variantReaders = try reader.objects("variants"), !variantReaders.isEmpty else {
            throw ConfigurationError.missingKey("configuration key '\(reader.key("variants"))' is required: the variants, the control first")
        }
        var variants: [Variant] = []
        for variantReader in variantReaders {
            let variant = try variant(variantReader, kind: kind)
            if variants.contains(where: { $0.name == variant.name }) {
                throw ConfigurationError.invalidValue("configuration key '\(variantReader.key("name"))': variant '\(variant.name)' appears twice in experiment '\(name)'")
            }
            variants.append(variant)
        }
        try checkShares(variants, given: variantReaders.map { $0.value("share") != nil }, kind: kind, key: reader.key("variants"))
        if variants.allSatisfy({ $0.share.isNaN }) {
            for index in variants.indices { variants[index].share = 1 / Double(variants.count) }
        }
        return Experiment(
            name: name, salt: try reader.string("salt") ?? name, kind: kind,
            traffic: try reader.double("traffic", in: 0...1) ?? 1, variants: variants, start: start, stop: stop)
    }

    private static func variant(_ reader: ConfigReader, kind: Experiment.Kind) throws(ConfigurationError) -> Variant {
        try reader.requireKnownKeys(["name", "share", "rerank", "weight", "model", "rules", "exploration"])
        let name = try name(reader, reserved: [Assignment.interleaved, Assignment.outside])
        if kind == .interleaving, reader.value("share") != nil {
            throw ConfigurationError.invalidValue("configuration key '\(reader.key("share"))': interleaving shows both rankings to every participant; leave share out")
        }
        let share = try reader.double("share", in: 0...1) ?? .nan
        let weight = try reader.double("weight", in: 0...1)
        let model = try reader.string("model")
        if let model, !FileManager.default.isReadableFile(atPath: model) {
            throw ConfigurationError.unservableModel("configuration key '\(reader.key("model"))': no readable model file at '\(model)'; give a file written by `rerank train`")
        }
        let rules = try reader.objects("rules").map { readers throws(ConfigurationError) in
            try readers.map { (rule) throws(ConfigurationError) in try Self.rule(rule) }
        }
        let exploration = try reader.object("exploration").map { reader throws(ConfigurationError) in try Self.exploration(reader) }
        guard try reader.bool("rerank") ?? true else {
            if weight != nil || model != nil || rules != nil || exploration != nil {
                throw ConfigurationError.invalidValue("configuration key '\(reader.key("rerank"))' is false, so the variant takes no weight, model, rules or exploration")
            }
            return Variant(name: name, share: share, treatment: .off)
        }
        return Variant(
            name: name, share: share, treatment: .on(.init(weight: weight, model: model, rules: rules, exploration: exploration)))
    }

    private static func checkShares(_ variants: [Variant], given: [Bool], kind: Experiment.Kind, key: String) throws(ConfigurationError) {
        switch kind {
        case .interleaving:
            guard variants.count == 2 else {
                throw ConfigurationError.invalidValue("configuration key '\(key)' of an interleaving experiment needs exactly two variants, the control then the treatment; it has \(variants.count)")
            }
        case .abTest:
            guard given.contains(true) else { return }
            guard given.allSatisfy({ $0 }) else {
                throw ConfigurationError.invalidValue("configuration key '\(key)': give every variant a share, or none for an equal split")
            }
            let sum = variants.reduce(0) { $0 + $1.share }
            guard abs(sum - 1) < 1e-6 else {
                throw ConfigurationError.invalidValue("configuration key '\(key)': the variants' shares sum to \(sum); they must sum to 1")
            }
        }
    }

    private static func name(_ reader: ConfigReader, reserved: Set<String>) throws(ConfigurationError) -> String {
        guard let name = try reader.string("name") else {
            throw ConfigurationError.missingKey("configuration key '\(reader.key("name"))' is required")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !name.isEmpty, name.allSatisfy(allowed.contains), !reserved.contains(name) else {
            let reservedNote = reserved.isEmpty ? "" : " other than \(reserved.sorted().joined(separator: " and "))"
            throw ConfigurationError.invalidValue("configuration key '\(reader.key("name"))' must be letters, digits, '-', '_' or '.'\(reservedNote), not '\(name)'")
        }
        return name
    }

    private static func time(_ reader: ConfigReader, _ key: String) throws(ConfigurationError) -> Date? {
        guard let text = try reader.string(key) else { return nil }
        guard let date = UBITimestamp.parse(text) else {
            throw ConfigurationError.invalidValue("configuration key '\(reader.key(key))' must be an ISO-8601 time such as 2026-12-01T00:00:00Z, not '\(text)'")
        }
        return date
    }
}

import Foundation
import LTRTraining

/// The training progress on standard error: a bar redrawn in place on a terminal, one line per iteration
/// otherwise, each with the validation NDCG@k.
final class ProgressLine {
    private let enabled: Bool
    private let terminal = isatty(2) == 1
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func show(_ progress: TrainingProgress) {
        guard enabled else { return }
        let width = 24
        let filled = progress.iterations > 0 ? width * progress.iteration / progress.iterations : width
        var line = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
        line += "\(progress.iteration)/\(progress.iterations)"
        for metric in progress.validation { line += "  \(metric.name) " + String(format: "%.4f", metric.value) }
        if let best = progress.bestValidation {
            line += "  best " + String(format: "%.4f", best) + " @\(progress.bestIteration)"
        }
        line += "  " + String(format: "%.1f", progress.elapsedSeconds) + " s"
        FileHandle.standardError.write(Data((terminal ? "\r" + line + "\u{1B}[K" : line + "\n").utf8))
        drawn = true
    }

    func finish() {
        if enabled && terminal && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

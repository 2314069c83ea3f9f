import Foundation
import LTRTraining

/// Progress on standard error (training's iterations with the validation NDCG@k, a batch's input): a bar redrawn
/// in place on a terminal, one line per update otherwise.
final class ProgressLine {
    private let enabled: Bool
    private let terminal = isatty(2) == 1
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func show(_ progress: TrainingProgress) {
        var detail = ""
        for metric in progress.validation { detail += "  \(metric.name) " + String(format: "%.4f", metric.value) }
        if let best = progress.bestValidation {
            detail += "  best " + String(format: "%.4f", best) + " @\(progress.bestIteration)"
        }
        detail += "  " + String(format: "%.1f", progress.elapsedSeconds) + " s"
        show(done: progress.iteration, of: progress.iterations, detail: detail)
    }

    /// A bar of `done` steps of `total`, followed by `detail`.
    func show(done: Int, of total: Int, detail: String) {
        guard enabled else { return }
        let width = 24
        let filled = total > 0 ? width * min(done, total) / total : width
        let line = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + "\(done)/\(total)" + detail
        FileHandle.standardError.write(Data((terminal ? "\r" + line + "\u{1B}[K" : line + "\n").utf8))
        drawn = true
    }

    func finish() {
        if enabled && terminal && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

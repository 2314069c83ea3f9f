import ArgumentParser

/// Where training and evaluation data come from (`--format`).
enum InputFormat: String, ExpressibleByArgument, CaseIterable {
    /// LETOR / svmlight lines (`label qid:ID index:value ...`), query groups from `qid:` or `FILE.query`.
    case letor
}

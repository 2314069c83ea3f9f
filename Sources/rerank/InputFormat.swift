import ArgumentParser

/// Where training and evaluation data come from (`--format`).
enum InputFormat: String, ExpressibleByArgument, CaseIterable {
    /// OpenSearch UBI interaction logs (`--logs DIR`): searches and events, replayed with point-in-time features.
    case ubi
    /// LETOR / svmlight lines (`label qid:ID index:value ...`), query groups from `qid:` or `FILE.query`.
    case letor
}

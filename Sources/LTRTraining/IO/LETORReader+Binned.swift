import LTRModel

extension LETORReader {
    /// Reads training and optional validation files straight into binned data, never holding their values as
    /// floats: each block of rows goes to a ``BinnedDatasetBuilder`` as parsed. The training data is binned
    /// column-major with bins found on it, the validation data row-major with the training data's bins.
    ///
    /// - Parameters:
    ///   - train: the training file. Without `qid:` fields, `train + ".query"` must hold the group sizes.
    ///   - valid: an optional validation file with the same features (same for its `.query` file).
    ///   - parameters: the training parameters: bins (`maxBin`, `minDataInBin`, `binSampleCount`, `seed`) and
    ///     threads (`numThreads`).
    /// - Throws: `LTRError` naming the file and line of the first bad input.
    public static func readBinned(
        train: String, valid: String?, parameters: TrainingParameters
    ) throws -> (train: TrainingData, valid: TrainingData?) {
        try readBinned(train: train, valid: valid, parameters: parameters, blockSize: blockSize)
    }

    /// ``readBinned(train:valid:parameters:)`` with `blockSize` bytes read at a time.
    static func readBinned(
        train: String, valid: String?, parameters: TrainingParameters, blockSize: Int
    ) throws -> (train: TrainingData, valid: TrainingData?) {
        let (trainBuilder, trainGroups) = try stream(
            path: train, featureCount: nil, parameters: parameters, blockSize: blockSize)
        let training = try trainBuilder.finish(
            queryBoundaries: trainGroups.queryBoundaries, featureCount: trainGroups.featureCount, mappers: nil,
            layout: .columnMajor, featureNames: nil)
        let validation = try valid.map { path in
            let (builder, groups) = try stream(
                path: path, featureCount: training.featureCount, parameters: parameters, blockSize: blockSize)
            return try builder.finish(
                queryBoundaries: groups.queryBoundaries, featureCount: groups.featureCount,
                mappers: training.bins.mappers, layout: .rowMajor, featureNames: nil)
        }
        return (training, validation)
    }

    /// Reads one file into a builder, checking it as ``read(path:featureCount:featureNames:threads:)`` does.
    private static func stream(
        path: String, featureCount: Int?, parameters: TrainingParameters, blockSize: Int
    ) throws -> (BinnedDatasetBuilder, (queryBoundaries: [Int], featureCount: Int)) {
        let builder = try BinnedDatasetBuilder(parameters: parameters)
        var groups = LETORFileGroups(name: path)
        let sizes = try groupSizes(of: path)
        try forEachBlock(
            path: path, columnLimit: featureCount, threads: builder.threads, blockSize: blockSize
        ) { parsed in
            try groups.add(parsed)
            for chunk in parsed { try builder.append(chunk.rows, labels: chunk.labels) }
        }
        return (builder, try groups.finish(groupSizes: sizes, featureCount: featureCount))
    }
}

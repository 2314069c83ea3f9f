import LTRModel

extension TrainingParameters {
    /// The objective these parameters describe.
    public var objective: LambdaRankObjective {
        LambdaRankObjective(
            labelGain: labelGain,
            truncationLevel: truncationLevel,
            sigmoid: sigmoid,
            normalize: lambdarankNorm
        )
    }
}

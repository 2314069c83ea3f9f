import Experiments
import Reporting

extension ExperimentReport {
    /// A self-contained HTML page: per experiment, a bar chart of every metric by variant with its interval
    /// (and for interleaving the preference share against 0.5), the verdict, and the terminal table.
    public func html(title: String) -> String {
        let palette = ["#9aa5b1", "#2680c2", "#f0b429", "#e12d39", "#3ebd93", "#8e44ad"]
        var sections = [HTMLPage.paragraph("Intervals at \(Int(((1 - alpha) * 100).rounded()))%, users are the unit of randomization; verdicts on \(primaryMetric.rawValue).")]
        for experiment in experiments {
            sections.append("<h2>\(HTMLPage.escape(experiment.name))</h2>")
            sections.append(HTMLPage.paragraph(experiment.verdict))
            let names = experiment.variants.map(\.name)
            var chart = SVGBarChart(series: names, colors: Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, palette[$0 % palette.count]) }))
            chart.groups = ExperimentMetric.allCases.map { metric in
                SVGBarChart.Group(name: metric.rawValue, bars: experiment.variants.compactMap { variant in
                    variant.metrics[metric].map { estimate in
                        SVGBarChart.Bar(series: variant.name, value: estimate.value, interval: estimate.interval(confidence: 1 - alpha))
                    }
                })
            }
            sections.append(chart.svg())
            if let preference = experiment.preference {
                var share = SVGBarChart(series: ["treatment preference"], colors: ["treatment preference": palette[1]])
                share.range = 0...1
                share.reference = 0.5
                share.groups = [.init(name: "preference share", bars: [.init(series: "treatment preference", value: preference.share.value, interval: (preference.low, preference.high))])]
                sections.append(share.svg())
            }
        }
        sections.append(HTMLPage.preformatted(table()))
        return HTMLPage.render(title: title, sections: sections)
    }
}

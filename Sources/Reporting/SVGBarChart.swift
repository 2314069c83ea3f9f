import Foundation

/// A grouped bar chart as inline SVG, with optional interval whiskers and a reference line.
///
/// ```swift
/// var chart = SVGBarChart(series: ["original", "model"], colors: ["original": "#9aa5b1", "model": "#2680c2"])
/// chart.groups = [.init(name: "overall", bars: [.init(series: "original", value: 0.47), .init(series: "model", value: 0.70)])]
/// let svg = chart.svg()
/// ```
public struct SVGBarChart: Sendable {
    public struct Bar: Sendable {
        public var series: String
        public var value: Double
        /// Drawn as a whisker when given, e.g. a 95% interval.
        public var interval: (low: Double, high: Double)?

        public init(series: String, value: Double, interval: (low: Double, high: Double)? = nil) {
            self.series = series
            self.value = value
            self.interval = interval
        }
    }

    public struct Group: Sendable {
        public var name: String
        public var bars: [Bar]

        public init(name: String, bars: [Bar]) {
            self.name = name
            self.bars = bars
        }
    }

    /// Legend order; each group draws its bars in the slots of these series.
    public var series: [String]
    public var colors: [String: String]
    public var groups: [Group] = []
    /// The value axis; nil scales from 0 to the largest value or interval end.
    public var range: ClosedRange<Double>?
    /// A dashed horizontal line, e.g. 0.5 for a preference share.
    public var reference: Double?
    public var barWidth = 14.0
    public var groupGap = 22.0
    public var height = 260.0

    public init(series: [String], colors: [String: String]) {
        self.series = series
        self.colors = colors
    }

    /// The chart as an `<svg>` element.
    public func svg() -> String {
        let top = 20.0
        let axis = range ?? 0...Self.niceCeiling(groups.flatMap(\.bars).map { max($0.value, $0.interval?.high ?? 0) }.max() ?? 1)
        let span = axis.upperBound - axis.lowerBound
        func y(_ value: Double) -> Double { top + height * (1 - (min(max(value, axis.lowerBound), axis.upperBound) - axis.lowerBound) / span) }
        let groupWidth = barWidth * Double(series.count) + groupGap
        let width = max(60 + groupWidth * Double(groups.count), 60 + 90 * Double(series.count))
        var svg = "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(width))' height='\(Int(height + 120))' font-family='sans-serif' font-size='11'>"
        for step in 0...4 {
            let tick = axis.lowerBound + span * Double(step) / 4
            svg += "<line x1='50' x2='\(Int(width))' y1='\(y(tick))' y2='\(y(tick))' stroke='#e4e7eb'/><text x='4' y='\(y(tick) + 4)'>\(Self.label(tick))</text>"
        }
        if let reference {
            svg += "<line x1='50' x2='\(Int(width))' y1='\(y(reference))' y2='\(y(reference))' stroke='#52606d' stroke-dasharray='4 3'/>"
        }
        for (index, group) in groups.enumerated() {
            let x0 = 60 + groupWidth * Double(index)
            for bar in group.bars {
                guard let slot = series.firstIndex(of: bar.series) else { continue }
                let x = x0 + barWidth * Double(slot)
                let base = y(max(axis.lowerBound, 0))
                let tip = y(bar.value)
                let tooltip = Self.escape("\(bar.series) \(group.name): \(Self.label(bar.value))" + (bar.interval.map { " [\(Self.label($0.low)), \(Self.label($0.high))]" } ?? ""))
                svg += "<rect x='\(x)' y='\(min(base, tip))' width='\(barWidth - 2)' height='\(abs(base - tip))' fill='\(colors[bar.series] ?? "#000")'><title>\(tooltip)</title></rect>"
                if let interval = bar.interval, interval.low.isFinite, interval.high.isFinite {
                    let middle = x + (barWidth - 2) / 2
                    svg += "<line x1='\(middle)' x2='\(middle)' y1='\(y(interval.low))' y2='\(y(interval.high))' stroke='#1f2933'/>"
                        + "<line x1='\(middle - 3)' x2='\(middle + 3)' y1='\(y(interval.low))' y2='\(y(interval.low))' stroke='#1f2933'/>"
                        + "<line x1='\(middle - 3)' x2='\(middle + 3)' y1='\(y(interval.high))' y2='\(y(interval.high))' stroke='#1f2933'/>"
                }
            }
            svg += "<text transform='translate(\(x0 + 10),\(top + height + 10)) rotate(45)'>\(Self.escape(group.name))</text>"
        }
        for (offset, name) in series.enumerated() {
            let x = 60 + Double(offset) * 90
            svg += "<rect x='\(x)' y='\(top + height + 95)' width='10' height='10' fill='\(colors[name] ?? "#000")'/><text x='\(x + 14)' y='\(top + height + 104)'>\(Self.escape(name))</text>"
        }
        return svg + "</svg>"
    }

    /// The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, floor(log10(value)))
        return [1, 2, 2.5, 5, 10].map { $0 * power }.first { $0 >= value } ?? value
    }

    private static func label(_ value: Double) -> String { String(format: abs(value) < 0.1 && value != 0 ? "%.3f" : "%.2f", value) }

    private static func escape(_ text: String) -> String { HTMLPage.escape(text) }
}

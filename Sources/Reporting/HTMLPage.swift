/// A self-contained HTML page for reports: a title, sections of HTML, one stylesheet, no external files.
///
/// ```swift
/// let page = HTMLPage.render(title: "rerank report", sections: [chart.svg(), HTMLPage.preformatted(table)])
/// ```
public enum HTMLPage {
    /// `text` with `&`, `<`, `>` and quotes escaped for HTML text and attributes.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A `<pre>` block of `text`, e.g. a terminal table.
    public static func preformatted(_ text: String) -> String { "<pre>\(escape(text))</pre>" }

    /// A paragraph of `text`.
    public static func paragraph(_ text: String) -> String { "<p>\(escape(text))</p>" }

    /// The page: `title` as heading, then `sections` (HTML) in order.
    public static func render(title: String, sections: [String]) -> String {
        """
        <!doctype html><html><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>body{font-family:sans-serif;margin:2em;color:#1f2933}pre{background:#f5f7fa;padding:1em}h2{margin-top:1.5em}</style></head>
        <body><h1>\(escape(title))</h1>
        \(sections.joined(separator: "\n"))
        </body></html>
        """
    }
}

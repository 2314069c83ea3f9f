/// The kind of device a search comes from.
public enum Device: String, Sendable, CaseIterable, Codable {
    case mobile
    case tablet
    case desktop
    case bot
    case unknown

    /// Classifies a User-Agent header.
    ///
    /// ```swift
    /// Device(userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) ... Mobile/15E148")  // .mobile
    /// ```
    public init(userAgent: String?) {
        guard let userAgent, !userAgent.isEmpty else {
            self = .unknown
            return
        }
        let agent = userAgent.lowercased()
        func has(_ words: String...) -> Bool { words.contains { agent.contains($0) } }
        if has("bot", "crawl", "spider", "slurp", "bingpreview", "facebookexternalhit", "headless") {
            self = .bot
        } else if has("ipad", "tablet", "kindle", "silk/", "playbook") || (has("android") && !has("mobile")) {
            self = .tablet
        } else if has("mobi", "iphone", "ipod", "android", "windows phone", "blackberry", "opera mini") {
            self = .mobile
        } else if has("windows", "macintosh", "mac os x", "x11", "linux", "cros") {
            self = .desktop
        } else {
            self = .unknown
        }
    }
}

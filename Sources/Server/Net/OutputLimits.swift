import CEventShim
import Glibc

/// client-output-buffer-limit (Redis's client_obuf_limits): for each class of client, a hard
/// limit on the output it may have queued, and a soft limit it may stay over for a number of
/// seconds. A client past either is disconnected.
///
/// This is what bounds the memory of a Pub/Sub subscriber that stops reading: it sends no
/// commands, so the backpressure that pauses a client's own input (RW_OUTPUT_BACKPRESSURE)
/// never applies to it, while every PUBLISH adds to its output.
struct OutputLimits: Equatable {
    /// Redis's client types that have limits, in its order (CLIENT_TYPE_NORMAL, _SLAVE, _PUBSUB).
    enum Class: Int, CaseIterable {
        case normal = 0, replica, pubsub

        /// The name CONFIG GET prints.
        var configName: String { ["normal", "slave", "pubsub"][rawValue] }

        /// Redis's getClientTypeByName (master is a type, but has no limits of its own).
        init?(name: String) {
            switch name.lowercased() {
            case "normal": self = .normal
            case "slave", "replica": self = .replica
            case "pubsub": self = .pubsub
            default: return nil
            }
        }
    }

    struct Limit: Equatable {
        var hard: UInt64
        var soft: UInt64
        var softSeconds: Int64
    }

    private(set) var limits: [Limit]
    /// Queued bytes below which no client can be over any limit (UInt64.max when no limit is
    /// set), so the checks stop at one comparison.
    private(set) var floor: UInt64

    /// Output that does not count against the limits. Redis counts only its reply list, not
    /// the 16 KB buffer every client has before it; without this allowance a tiny limit
    /// ("normal 1 1 0") would close every client on its first reply, where Redis closes none.
    static let allowance: UInt64 = 16 * 1024

    static let defaults = OutputLimits([
        Limit(hard: 0, soft: 0, softSeconds: 0),
        Limit(hard: 256 << 20, soft: 64 << 20, softSeconds: 60),
        Limit(hard: 32 << 20, soft: 8 << 20, softSeconds: 60),
    ])

    private init(_ limits: [Limit]) {
        self.limits = limits
        let smallest = limits.flatMap { [$0.hard, $0.soft] }.filter { $0 != 0 }.min() ?? UInt64.max
        self.floor = smallest > UInt64.max - OutputLimits.allowance ? UInt64.max : smallest + OutputLimits.allowance
    }

    subscript(c: Class) -> Limit { limits[c.rawValue] }

    /// Applies `text` ("<class> <hard> <soft> <soft seconds>" repeated) over these limits, with
    /// Redis's checks: the whole value is refused if one group is wrong. Words are separated
    /// by single spaces, as CONFIG SET splits this value.
    func applying(_ text: String) throws -> OutputLimits {
        let words = text.isEmpty ? [] : text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if words.count % 4 != 0 {
            throw ConfigError(message: "Wrong number of arguments in buffer limit configuration.")
        }
        var out = limits
        for g in stride(from: 0, to: words.count, by: 4) {
            guard let cls = Class(name: words[g]) else {
                throw ConfigError(message: "Invalid client class specified in buffer limit configuration.")
            }
            guard let hard = OutputLimits.memoryAmount(words[g + 1]),
                  let soft = OutputLimits.memoryAmount(words[g + 2]),
                  let seconds = OutputLimits.seconds(words[g + 3]) else {
                throw ConfigError(message: "Error in hard, soft or soft_seconds setting in buffer limit configuration.")
            }
            out[cls.rawValue] = Limit(hard: hard, soft: soft, softSeconds: seconds)
        }
        return OutputLimits(out)
    }

    /// The value CONFIG GET shows: every class, in bytes.
    var description: String {
        Class.allCases.map { c in
            let l = self[c]
            return "\(c.configName) \(l.hard) \(l.soft) \(l.softSeconds)"
        }.joined(separator: " ")
    }

    /// CONFIG REWRITE: a line per class that differs from the default, with memory in the
    /// largest exact unit and "replica" for the replica class; the normal line when none
    /// differs (so a line the file had stays a valid line).
    var rewriteLines: [String] {
        let changed = Class.allCases.filter { self[$0] != OutputLimits.defaults[$0] }
        return (changed.isEmpty ? [.normal] : changed).map { c in
            let l = self[c]
            let name = c == .replica ? "replica" : c.configName
            return "client-output-buffer-limit \(name) \(OutputLimits.rewriteMemory(l.hard)) \(OutputLimits.rewriteMemory(l.soft)) \(l.softSeconds)"
        }
    }

    /// Redis's memtoull: digits and an optional unit (b, k, kb, m, mb, g, gb, any case); no
    /// sign; a number too large for 64 bits saturates, one too large once scaled is refused.
    static func memoryAmount(_ s: String) -> UInt64? {
        let b = Array(s.utf8)
        var i = 0
        while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
        let multiplier: UInt64
        switch String(decoding: b[i...], as: UTF8.self).lowercased() {
        case "", "b": multiplier = 1
        case "k": multiplier = 1000
        case "kb": multiplier = 1024
        case "m": multiplier = 1000 * 1000
        case "mb": multiplier = 1024 * 1024
        case "g": multiplier = 1000 * 1000 * 1000
        case "gb": multiplier = 1024 * 1024 * 1024
        default: return nil
        }
        if i >= 128 { return nil }
        var value: UInt64 = 0
        for d in b[0..<i] {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (v, o2) = m.addingReportingOverflow(UInt64(d - 48))
            if o1 || o2 { value = UInt64.max; break }
            value = v
        }
        if value > UInt64.max / multiplier { return nil }
        return value * multiplier
    }

    /// The soft seconds as Redis reads them: strtoll over the whole word, kept in a C int,
    /// which must not be negative.
    static func seconds(_ s: String) -> Int64? {
        s.withCString { p -> Int64? in
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = Int32(truncatingIfNeeded: strtoll(p, &end, 10))
            guard let e = end, e.pointee == 0, v >= 0 else { return nil }
            return Int64(v)
        }
    }

    /// Redis's rewriteConfigFormatMemory (which prints the amount as a signed long long).
    static func rewriteMemory(_ v: UInt64) -> String {
        let n = Int64(bitPattern: v)
        for (unit, size) in [("gb", Int64(1) << 30), ("mb", Int64(1) << 20), ("kb", Int64(1) << 10)]
            where n != 0 && n % size == 0 {
            return "\(n / size)\(unit)"
        }
        return "\(n)"
    }
}

// MARK: - Enforcement

extension Client {
    /// The limit class of this client.
    var outputClass: OutputLimits.Class { subscriptions != nil ? .pubsub : .normal }
}

extension Server {
    /// Closes a client whose queued output broke a limit of its class (Redis's
    /// closeClientOnOutputBufferLimitReached): at or past the hard limit, or at or past the
    /// soft limit for longer than its seconds. Called after a message is queued for a
    /// subscriber, after each command for the client that ran it, and from the cron (which
    /// is what catches a soft limit held while nothing new is queued). Returns whether the
    /// client is being closed.
    @discardableResult
    func enforceOutputLimit(_ c: Client, fromCron: Bool = false) -> Bool {
        let queued = UInt64(c.raw.pointee.reply_bytes)
        let used = queued > OutputLimits.allowance ? queued - OutputLimits.allowance : 0
        if used == 0 {
            c.softLimitSince = 0
            return false
        }
        if c.flags & UInt32(RW_CLOSE_ASAP) != 0 || c.isFake { return false }
        let limit = config.outputLimits[c.outputClass]
        let hard = limit.hard != 0 && used >= limit.hard
        var soft = limit.soft != 0 && used >= limit.soft
        if soft {
            if c.softLimitSince == 0 {
                c.softLimitSince = now
                soft = false
            } else if now - c.softLimitSince <= limit.softSeconds * 1000 {
                soft = false
            }
        } else {
            c.softLimitSince = 0
        }
        guard hard || soft else { return false }
        if fromCron {
            log.warning("Client \(c.infoLine(now: now)) closed for overcoming of output buffer limits.")
        } else {
            log.warning("Client \(c.infoLine(now: now)) scheduled to be closed ASAP for overcoming of output buffer limits.")
        }
        stats.outputLimitDisconnections += 1
        rw_client_close_async(c.raw)
        return true
    }

    /// The cron's pass: every client with enough output queued, or with a soft-limit clock
    /// running that may need resetting.
    func enforceOutputLimitsInCron() {
        let floor = config.outputLimitFloor
        var p = rw_client_next(loop, nil)
        while let raw = p {
            p = rw_client_next(loop, raw)
            guard raw.pointee.owner != nil else { continue }
            let c = client(of: raw)
            if UInt64(raw.pointee.reply_bytes) >= floor || c.softLimitSince != 0 {
                enforceOutputLimit(c, fromCron: true)
            }
        }
    }
}

import CEventShim

/// Counters behind INFO stats and errorstats.
struct Stats {
    var connectionsReceived: Int64 = 0
    var rejectedConnections: Int64 = 0
    var commandsProcessed: Int64 = 0
    var expiredKeys: Int64 = 0
    var expiredStalePercent: Double = 0
    var expiredTimeCapReached: Int64 = 0
    var expireCycleCpuMs: Int64 = 0
    var keyspaceHits: Int64 = 0
    var keyspaceMisses: Int64 = 0
    var netInput: Int64 = 0
    var netOutput: Int64 = 0
    var errorReplies: Int64 = 0
    var errorCodes: [String: Int64] = [:]
    /// Clients closed for going past client-output-buffer-limit.
    var outputLimitDisconnections: Int64 = 0
    /// Counters that live elsewhere, as they stood at the last CONFIG RESETSTAT.
    var lazyfreedBase = 0
    var netInputBase: Int64 = 0
    var netOutputBase: Int64 = 0

    /// Instantaneous rates: samples every cron tick over the last 16, like Redis.
    private var opsSamples = [Int64](repeating: 0, count: 16)
    private var inSamples = [Int64](repeating: 0, count: 16)
    private var outSamples = [Int64](repeating: 0, count: 16)
    private var sampleIndex = 0
    private var lastSampleMs: Int64 = 0
    private var lastCommands: Int64 = 0
    private var lastIn: Int64 = 0
    private var lastOut: Int64 = 0

    mutating func sampleOps(now: Int64, commands: Int64, netIn: Int64, netOut: Int64) {
        let elapsed = now - lastSampleMs
        guard elapsed >= 100 else { return }
        if lastSampleMs != 0 {
            opsSamples[sampleIndex] = (commands - lastCommands) * 1000 / elapsed
            inSamples[sampleIndex] = (netIn - lastIn) * 1000 / elapsed
            outSamples[sampleIndex] = (netOut - lastOut) * 1000 / elapsed
            sampleIndex = (sampleIndex + 1) % 16
        }
        lastSampleMs = now
        lastCommands = commands
        lastIn = netIn
        lastOut = netOut
    }

    var instantaneousOps: Int64 { opsSamples.reduce(0, +) / 16 }
    var instantaneousInputKbps: Double { Double(inSamples.reduce(0, +)) / 16 / 1024 }
    var instantaneousOutputKbps: Double { Double(outSamples.reduce(0, +)) / 16 / 1024 }

    /// CONFIG RESETSTAT.
    mutating func reset() { self = Stats() }
}

/// SLOWLOG: the most recent commands slower than slowlog-log-slower-than.
struct SlowLog {
    struct Entry {
        let id: Int64
        let time: Int64
        let duration: Int64
        let args: [[UInt8]]
        let peer: String
        let name: String
    }
    var entries: [Entry] = []   // newest first
    var nextID: Int64 = 0

    static let maxArgs = 32
    static let maxArgBytes = 128

    mutating func add(args: Args, redacted: Set<Int>, duration: Int64, client: Client, maxLen: Int) {
        var list: [[UInt8]] = []
        let n = min(args.count, SlowLog.maxArgs)
        for i in 0..<n {
            if i == SlowLog.maxArgs - 1 && args.count > SlowLog.maxArgs {
                list.append(Array("... (\(args.count - SlowLog.maxArgs + 1) more arguments)".utf8))
                break
            }
            let a = args[i]
            if redacted.contains(i) {
                list.append(Array("(redacted)".utf8))
            } else if a.count > SlowLog.maxArgBytes {
                var b = Array(a.prefix(SlowLog.maxArgBytes))
                b += Array("... (\(a.count - SlowLog.maxArgBytes) more bytes)".utf8)
                list.append(b)
            } else {
                list.append(Array(a))
            }
        }
        let name = client.name.map { String(decoding: $0, as: UTF8.self) } ?? ""
        entries.insert(Entry(id: nextID, time: rw_now_ms() / 1000, duration: duration, args: list,
                             peer: client.address, name: name), at: 0)
        nextID += 1
        if entries.count > maxLen { entries.removeLast(entries.count - maxLen) }
    }
}

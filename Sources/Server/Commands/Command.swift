import CRC64

/// Command flags, named as Redis 7.0 reports them in COMMAND INFO.
struct CommandFlags: OptionSet {
    let rawValue: UInt32
    static let write = CommandFlags(rawValue: 1 << 0)
    static let readonly = CommandFlags(rawValue: 1 << 1)
    static let denyoom = CommandFlags(rawValue: 1 << 2)
    static let admin = CommandFlags(rawValue: 1 << 3)
    static let pubsub = CommandFlags(rawValue: 1 << 4)
    static let noscript = CommandFlags(rawValue: 1 << 5)
    static let blocking = CommandFlags(rawValue: 1 << 6)
    static let loading = CommandFlags(rawValue: 1 << 7)
    static let stale = CommandFlags(rawValue: 1 << 8)
    static let skipMonitor = CommandFlags(rawValue: 1 << 9)
    static let skipSlowlog = CommandFlags(rawValue: 1 << 10)
    static let fast = CommandFlags(rawValue: 1 << 11)
    static let noAuth = CommandFlags(rawValue: 1 << 12)
    static let mayReplicate = CommandFlags(rawValue: 1 << 13)
    static let noMandatoryKeys = CommandFlags(rawValue: 1 << 14)
    static let noAsyncLoading = CommandFlags(rawValue: 1 << 15)
    static let noMulti = CommandFlags(rawValue: 1 << 16)
    static let movableKeys = CommandFlags(rawValue: 1 << 17)
    static let allowBusy = CommandFlags(rawValue: 1 << 18)

    static let names: [(String, CommandFlags)] = [
        ("write", .write), ("readonly", .readonly), ("denyoom", .denyoom), ("admin", .admin),
        ("pubsub", .pubsub), ("noscript", .noscript), ("blocking", .blocking),
        ("loading", .loading), ("stale", .stale), ("skip_monitor", .skipMonitor),
        ("skip_slowlog", .skipSlowlog), ("fast", .fast), ("no_auth", .noAuth),
        ("may_replicate", .mayReplicate), ("no_mandatory_keys", .noMandatoryKeys),
        ("no_async_loading", .noAsyncLoading), ("no_multi", .noMulti),
        ("movablekeys", .movableKeys), ("allow_busy", .allowBusy),
    ]

    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Parses a space-separated list of flag names (the table's notation).
    init(_ text: String) {
        var f = CommandFlags()
        for word in text.split(separator: " ") {
            guard let (_, flag) = CommandFlags.names.first(where: { $0.0 == word }) else {
                fatalError("unknown command flag \(word)")
            }
            f.insert(flag)
        }
        self = f
    }

    var nameList: [String] { CommandFlags.names.filter { contains($0.1) }.map { $0.0 } }
}

typealias CommandHandler = (Server, Client, Args) -> Void

/// One entry of the command table: what the dispatcher checks (arity, flags), what COMMAND
/// reports (key positions, ACL categories, docs), the handler, and the per-command statistics
/// INFO commandstats prints.
final class Command {
    let name: String
    /// "config|get" for subcommands, as Redis names them in errors and stats.
    let fullName: String
    let arity: Int
    let flags: CommandFlags
    let firstKey: Int, lastKey: Int, keyStep: Int
    let aclCategories: [String]
    let group: String
    let since: String
    let summary: String
    let complexity: String
    let handler: CommandHandler?
    /// Argument documentation (COMMAND DOCS), from CommandArgumentTable.
    lazy var arguments: [ArgumentDoc] = CommandArgumentTable.notation[fullName].map(ArgumentDoc.parse) ?? []
    private(set) var subcommands: [Command] = []
    /// Commands live as long as the table; no weak reference (side tables slow every retain).
    unowned(unsafe) var parent: Command? = nil

    var calls: Int64 = 0
    var microseconds: Int64 = 0
    var rejectedCalls: Int64 = 0
    var failedCalls: Int64 = 0

    init(_ name: String, _ arity: Int, _ flags: String, keys: (Int, Int, Int) = (0, 0, 0),
         acl: String, group: String, since: String, summary: String, complexity: String = "O(1)",
         parent: String? = nil, _ handler: CommandHandler?) {
        self.name = name
        self.fullName = parent.map { "\($0)|\(name)" } ?? name
        self.arity = arity
        self.flags = CommandFlags(flags)
        (self.firstKey, self.lastKey, self.keyStep) = keys
        var cats = acl.split(separator: " ").map { String($0.dropFirst()) }
        // Redis derives these categories from the flags.
        let f = self.flags
        if f.contains(.write) && !cats.contains("write") { cats.insert("write", at: 0) }
        if f.contains(.readonly) && !cats.contains("read") && !cats.contains("admin") { cats.insert("read", at: 0) }
        if f.contains(.admin) && !cats.contains("admin") { cats.append("admin") }
        if f.contains(.admin) && !cats.contains("dangerous") { cats.append("dangerous") }
        if f.contains(.fast) && !cats.contains("fast") { cats.append("fast") }
        if !f.contains(.fast) && !cats.contains("slow") { cats.append("slow") }
        if f.contains(.blocking) && !cats.contains("blocking") { cats.append("blocking") }
        if f.contains(.pubsub) && !cats.contains("pubsub") { cats.append("pubsub") }
        let order = ["keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
                     "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
                     "blocking", "dangerous", "connection", "transaction", "scripting"]
        self.aclCategories = cats.sorted { (order.firstIndex(of: $0) ?? 99) < (order.firstIndex(of: $1) ?? 99) }
        self.group = group
        self.since = since
        self.summary = summary
        self.complexity = complexity
        self.handler = handler
    }

    /// Adds subcommands (CONFIG GET, CLIENT LIST ...); the parent becomes a container.
    func with(_ subs: [Command]) -> Command {
        subcommands = subs
        for s in subs { s.parent = self }
        return self
    }

    var isContainer: Bool { !subcommands.isEmpty }

    func subcommand(_ name: UnsafeRawBufferPointer) -> Command? {
        subcommands.first { s in
            s.name.utf8.count == name.count && zip(s.name.utf8, name).allSatisfy { a, b in
                a == (b >= 65 && b <= 90 ? b | 0x20 : b)
            }
        }
    }

    /// Whether `argc` satisfies the arity (positive: exact; negative: at least -arity).
    @inline(__always)
    func arityOK(_ argc: Int) -> Bool {
        arity > 0 ? argc == arity : argc >= -arity
    }

    /// The key argument positions for `argc` arguments (COMMAND GETKEYS, MOVE checks ...).
    func keyPositions(argc: Int) -> [Int] {
        guard firstKey > 0 else { return [] }
        var last = lastKey < 0 ? argc + lastKey : lastKey
        if last >= argc { last = argc - 1 }
        return Array(stride(from: firstKey, through: last, by: max(keyStep, 1)))
    }
}

/// Case-insensitive lookup of command names without allocating: open addressing over
/// SipHash of the lowercased name.
struct CommandLookup {
    private var slots: [Command?]
    private var mask: Int
    private static let seed: [UInt8] = Array(repeating: 7, count: 16)

    init(_ commands: [Command]) {
        var size = 16
        while size < commands.count * 4 { size <<= 1 }
        slots = Array(repeating: nil, count: size)
        mask = size - 1
        for c in commands {
            var i = Array(c.name.utf8).withUnsafeBytes { CommandLookup.hash($0) } & mask
            while slots[i] != nil { i = (i + 1) & mask }
            slots[i] = c
        }
    }

    @inline(__always)
    private static func hash(_ name: UnsafeRawBufferPointer) -> Int {
        seed.withUnsafeBufferPointer { k in
            Int(truncatingIfNeeded: rw_siphash_nocase(name.baseAddress, name.count, k.baseAddress!))
        }
    }

    @inline(__always)
    func find(_ name: UnsafeRawBufferPointer) -> Command? {
        if name.count == 0 || name.count > 64 { return nil }
        var i = CommandLookup.hash(name) & mask
        while let c = slots[i] {
            if c.name.utf8.count == name.count && equalsLowercased(c.name, name) { return c }
            i = (i + 1) & mask
        }
        return nil
    }

    @inline(__always)
    private func equalsLowercased(_ lower: String, _ name: UnsafeRawBufferPointer) -> Bool {
        var k = 0
        for a in lower.utf8 {
            var b = name[k]
            if b >= 65 && b <= 90 { b |= 0x20 }
            if a != b { return false }
            k += 1
        }
        return true
    }
}

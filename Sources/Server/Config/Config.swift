import CEventShim
import Glibc

/// A configuration error, worded like Redis's.
struct ConfigError: Error {
    let message: String
}

/// One configuration parameter: its Redis name, how it is parsed and printed, and whether
/// CONFIG SET may change it at run time.
final class ConfigParam {
    enum Kind {
        case bool
        case int(min: Int64, max: Int64)
        case memory(min: Int64, max: Int64)
        case enumeration([String])
        case string
        /// Parsed and printed by the parameter itself (save, bind, client-output-buffer-limit ...).
        case special
    }
    let name: String
    let aliases: [String]
    let kind: Kind
    let mutable: Bool
    /// Parameters whose value is a list given as several arguments (bind, save ...).
    let multiArg: Bool
    var value: String
    let defaultValue: String
    /// Validates and normalises a value; throws with Redis's reason text.
    let validate: ((String) throws -> String)?
    /// Runs after a successful change (CONFIG SET or start-up).
    var didSet: ((String) -> Void)?

    init(_ name: String, _ kind: Kind, _ value: String, mutable: Bool = true, aliases: [String] = [],
         multiArg: Bool = false, validate: ((String) throws -> String)? = nil) {
        self.name = name
        self.kind = kind
        self.value = value
        self.defaultValue = value
        self.mutable = mutable
        self.aliases = aliases
        self.multiArg = multiArg
        self.validate = validate
    }

    /// Checks `text` and returns the canonical value to store.
    func normalise(_ text: String) throws -> String {
        switch kind {
        case .bool:
            switch text.lowercased() {
            case "yes": return "yes"
            case "no": return "no"
            default: throw ConfigError(message: "argument must be 'yes' or 'no'")
            }
        case .int(let lo, let hi):
            guard let v = parseStrictInt64(Array(text.utf8)) else {
                throw ConfigError(message: "argument couldn't be parsed into an integer")
            }
            guard v >= lo && v <= hi else {
                throw ConfigError(message: "argument must be between \(lo) and \(hi) inclusive")
            }
            return try validate?(String(v)) ?? String(v)
        case .memory(let lo, let hi):
            guard let v = parseMemory(text) else {
                throw ConfigError(message: "argument must be a memory value")
            }
            guard v >= lo && v <= hi else {
                throw ConfigError(message: "argument must be between \(lo) and \(hi) inclusive")
            }
            return String(v)
        case .enumeration(let options):
            let l = text.lowercased()
            guard options.contains(l) else {
                throw ConfigError(message: "argument(s) must be one of the following: " + options.joined(separator: ", "))
            }
            return l
        case .string:
            return try validate?(text) ?? text
        case .special:
            return try validate?(text) ?? text
        }
    }

    var int: Int64 { parseStrictInt64(Array(value.utf8)) ?? 0 }
    var bool: Bool { value == "yes" }
}

/// The server's configuration: every parameter Redwing knows, with Redis 7.0's names and
/// defaults, plus the file it was loaded from (for CONFIG REWRITE).
public final class Config {
    private(set) var params: [ConfigParam] = []
    private var byName: [String: ConfigParam] = [:]
    /// Absolute path of the configuration file, if started with one.
    var configFile: String? = nil

    // Values the hot path reads, kept in sync through `didSet` hooks.
    var requirepass = ""
    var databases = 16
    var hz = 10
    var maxclients = 10000
    var timeout: Int64 = 0
    var slowlogSlowerThan: Int64 = 10000
    var slowlogMaxLen = 128
    var activeExpireEnabled = true
    var protoMaxBulkLen: Int64 = 512 * 1024 * 1024
    var activeRehashing = true
    var outputLimits = OutputLimits.defaults
    /// outputLimits.floor, read after every command.
    var outputLimitFloor = OutputLimits.defaults.floor
    var notifyKeyspaceEvents = NotifyType()
    /// The classes of the notify-keyspace-events value last validated. The value shown drops
    /// "n" when "A" is there (as Redis shows it), so the classes cannot be read back from it.
    private var validatedNotifyEvents = NotifyType()

    init() {
        let maxInt = Int64(Int32.max)
        let maxLong = Int64.max
        add(ConfigParam("bind", .special, "* -::*", mutable: true, multiArg: true))
        add(ConfigParam("port", .int(min: 0, max: 65535), "6379"))
        add(ConfigParam("tcp-backlog", .int(min: 0, max: maxInt), "511", mutable: false))
        add(ConfigParam("unixsocket", .string, "", mutable: false))
        add(ConfigParam("unixsocketperm", .special, "0", mutable: false, validate: { v in
            guard let n = Int(v, radix: 8), n >= 0, n <= 0o777 else {
                throw ConfigError(message: "argument must be between 0 and 777 inclusive")
            }
            return String(n, radix: 8)
        }))
        add(ConfigParam("timeout", .int(min: 0, max: maxInt), "0"))
        add(ConfigParam("tcp-keepalive", .int(min: 0, max: maxInt), "300"))
        add(ConfigParam("maxclients", .int(min: 1, max: Int64(UInt32.max)), "10000"))
        add(ConfigParam("databases", .int(min: 1, max: maxInt), "16", mutable: false))
        add(ConfigParam("hz", .int(min: 0, max: maxInt), "10", validate: { v in
            // Redis clamps hz to 1...500 and reports the clamped value.
            String(min(max(Int64(v) ?? 10, 1), 500))
        }))
        add(ConfigParam("dynamic-hz", .bool, "yes"))
        add(ConfigParam("requirepass", .string, ""))
        add(ConfigParam("daemonize", .bool, "no", mutable: false))
        add(ConfigParam("supervised", .enumeration(["upstart", "systemd", "auto", "no"]), "no", mutable: false))
        add(ConfigParam("pidfile", .string, "", mutable: false))
        add(ConfigParam("logfile", .string, "", mutable: false))
        add(ConfigParam("loglevel", .enumeration(["debug", "verbose", "notice", "warning"]), "notice"))
        add(ConfigParam("syslog-enabled", .bool, "no", mutable: false))
        add(ConfigParam("syslog-ident", .string, "redis", mutable: false))
        // Checked without changing directory, so a CONFIG SET that fails on another parameter
        // leaves the working directory alone; the hook changes it once the value is applied.
        add(ConfigParam("dir", .special, currentDirectory(), validate: { v in
            var st = stat()
            if stat(v, &st) != 0 { throw ConfigError(message: String(cString: strerror(errno))) }
            if st.st_mode & S_IFMT != S_IFDIR { throw ConfigError(message: String(cString: strerror(ENOTDIR))) }
            if access(v, X_OK) != 0 { throw ConfigError(message: String(cString: strerror(errno))) }
            return v
        }))
        add(ConfigParam("proto-max-bulk-len", .memory(min: 1024 * 1024, max: maxLong), "536870912"))
        add(ConfigParam("client-query-buffer-limit", .memory(min: 1024 * 1024, max: maxLong), "1073741824"))
        add(ConfigParam("slowlog-log-slower-than", .int(min: -1, max: maxLong), "10000"))
        add(ConfigParam("slowlog-max-len", .int(min: 0, max: maxLong), "128"))
        add(ConfigParam("latency-monitor-threshold", .int(min: 0, max: maxLong), "0"))
        add(ConfigParam("maxmemory", .memory(min: 0, max: maxLong), "0"))
        add(ConfigParam("maxmemory-policy", .enumeration(["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"]), "noeviction"))
        add(ConfigParam("lfu-log-factor", .int(min: 0, max: maxInt), "10"))
        add(ConfigParam("lfu-decay-time", .int(min: 0, max: maxInt), "1"))
        add(ConfigParam("maxmemory-samples", .int(min: 1, max: 64), "5"))
        add(ConfigParam("active-expire-effort", .int(min: 1, max: 10), "1"))
        add(ConfigParam("activerehashing", .bool, "yes"))
        add(ConfigParam("lazyfree-lazy-user-del", .bool, "no"))
        add(ConfigParam("lazyfree-lazy-user-flush", .bool, "no"))
        add(ConfigParam("lazyfree-lazy-expire", .bool, "no"))
        add(ConfigParam("lazyfree-lazy-server-del", .bool, "no"))
        add(ConfigParam("protected-mode", .bool, "yes"))
        add(ConfigParam("io-threads", .int(min: 1, max: 128), "1", mutable: false))
        add(ConfigParam("io-threads-do-reads", .bool, "no", mutable: false))
        // Persistence parameters (RDB: Persistence/RDB*.swift; AOF parameters are stored only).
        add(ConfigParam("save", .special, "3600 1 300 100 60 10000", multiArg: true, validate: Config.validateSave))
        add(ConfigParam("dbfilename", .string, "dump.rdb", validate: { v in
            if v.contains("/") { throw ConfigError(message: "dbfilename can't be a path, just a filename") }
            return v
        }))
        add(ConfigParam("rdbcompression", .bool, "yes"))
        add(ConfigParam("rdbchecksum", .bool, "yes"))
        add(ConfigParam("stop-writes-on-bgsave-error", .bool, "yes"))
        // Redis's test hook: microseconds the snapshot writer sleeps per key (slow saves on demand).
        add(ConfigParam("rdb-key-save-delay", .int(min: Int64(Int32.min), max: maxInt), "0"))
        add(ConfigParam("key-load-delay", .int(min: Int64(Int32.min), max: maxInt), "0"))
        add(ConfigParam("appendonly", .bool, "no"))
        add(ConfigParam("appendfilename", .string, "appendonly.aof", mutable: false))
        add(ConfigParam("appenddirname", .string, "appendonlydir", mutable: false))
        add(ConfigParam("appendfsync", .enumeration(["always", "everysec", "no"]), "everysec"))
        add(ConfigParam("no-appendfsync-on-rewrite", .bool, "no"))
        add(ConfigParam("auto-aof-rewrite-percentage", .int(min: 0, max: maxInt), "100"))
        add(ConfigParam("auto-aof-rewrite-min-size", .memory(min: 0, max: maxLong), "67108864"))
        add(ConfigParam("aof-load-truncated", .bool, "yes"))
        add(ConfigParam("aof-use-rdb-preamble", .bool, "yes"))
        add(ConfigParam("aof-timestamp-enabled", .bool, "no"))
        add(ConfigParam("replica-read-only", .bool, "yes", aliases: ["slave-read-only"]))
        add(ConfigParam("repl-backlog-size", .memory(min: 1, max: maxLong), "1048576"))
        add(ConfigParam("repl-diskless-sync", .bool, "yes"))
        add(ConfigParam("masterauth", .string, ""))
        add(ConfigParam("masteruser", .string, ""))
        add(ConfigParam("maxmemory-clients", .memory(min: 0, max: maxLong), "0"))
        add(ConfigParam("maxmemory-eviction-tenacity", .int(min: 0, max: 100), "10"))
        add(ConfigParam("list-max-listpack-size", .int(min: Int64(Int32.min), max: maxInt), "-2", aliases: ["list-max-ziplist-size"]))
        add(ConfigParam("list-compress-depth", .int(min: 0, max: maxInt), "0"))
        add(ConfigParam("hash-max-listpack-entries", .int(min: 0, max: maxLong), "512", aliases: ["hash-max-ziplist-entries"]))
        add(ConfigParam("hash-max-listpack-value", .memory(min: 0, max: maxLong), "64", aliases: ["hash-max-ziplist-value"]))
        add(ConfigParam("set-max-intset-entries", .int(min: 0, max: maxLong), "512"))
        add(ConfigParam("zset-max-listpack-entries", .int(min: 0, max: maxLong), "128", aliases: ["zset-max-ziplist-entries"]))
        add(ConfigParam("zset-max-listpack-value", .memory(min: 0, max: maxLong), "64", aliases: ["zset-max-ziplist-value"]))
        add(ConfigParam("hll-sparse-max-bytes", .memory(min: 0, max: maxLong), "3000"))
        add(ConfigParam("notify-keyspace-events", .special, "", validate: { [unowned self] v in
            guard let flags = NotifyType(config: v) else { throw ConfigError(message: NotifyType.configError) }
            self.validatedNotifyEvents = flags
            return flags.configText
        }))
        // A value names only the classes it changes: it is applied over the current limits.
        add(ConfigParam("client-output-buffer-limit", .special, OutputLimits.defaults.description, multiArg: true,
                        validate: { [unowned self] v in try self.outputLimits.applying(v).description }))
        add(ConfigParam("enable-debug-command", .enumeration(["no", "yes", "local"]), "no", mutable: false))
        add(ConfigParam("enable-protected-configs", .enumeration(["no", "yes", "local"]), "no", mutable: false))

        hook("hash-max-listpack-entries") { v in HashValue.maxPackedEntries = Int(v) ?? 128 }
        hook("hash-max-listpack-value") { v in HashValue.maxPackedValue = Int(v) ?? 64 }
        hook("hll-sparse-max-bytes") { v in HyperLogLog.sparseMaxBytes = Int(v) ?? 3000 }
        hook("list-max-listpack-size") { v in ListValue.fillFactor = Int(v) ?? -2 }
        hook("set-max-intset-entries") { v in SetValue.maxIntsetEntries = Int(v) ?? 512 }
        hook("zset-max-listpack-entries") { v in ZSetValue.maxPackedEntries = Int(v) ?? 128 }
        hook("zset-max-listpack-value") { v in ZSetValue.maxPackedValue = Int(v) ?? 64 }
        hook("maxmemory-policy") { v in LRUClock.lfu = v.hasSuffix("lfu") }
        hook("lfu-log-factor") { v in LRUClock.lfuLogFactor = Double(v) ?? 10 }
        hook("lfu-decay-time") { v in LRUClock.lfuDecayTime = Int(v) ?? 1 }
        hook("dir") { [unowned self] v in
            if chdir(v) == 0 { self.param("dir")?.value = currentDirectory() }
        }
        hook("requirepass") { [unowned self] v in self.requirepass = v }
        hook("databases") { [unowned self] v in self.databases = Int(v) ?? 16 }
        hook("hz") { [unowned self] v in self.hz = min(max(Int(v) ?? 10, 1), 500) }
        hook("maxclients") { [unowned self] v in self.maxclients = Int(v) ?? 10000 }
        hook("timeout") { [unowned self] v in self.timeout = Int64(v) ?? 0 }
        hook("slowlog-log-slower-than") { [unowned self] v in self.slowlogSlowerThan = Int64(v) ?? 10000 }
        hook("slowlog-max-len") { [unowned self] v in self.slowlogMaxLen = Int(v) ?? 128 }
        hook("proto-max-bulk-len") { [unowned self] v in
            self.protoMaxBulkLen = Int64(v) ?? 0
            rw_current_limits.proto_max_bulk_len = self.protoMaxBulkLen
        }
        hook("client-output-buffer-limit") { [unowned self] v in
            self.outputLimits = (try? OutputLimits.defaults.applying(v)) ?? OutputLimits.defaults
            self.outputLimitFloor = self.outputLimits.floor
        }
        hook("notify-keyspace-events") { [unowned self] v in
            let shown = NotifyType(config: v) ?? NotifyType()
            self.notifyKeyspaceEvents = self.validatedNotifyEvents.configText == v ? self.validatedNotifyEvents : shown
        }
        hook("activerehashing") { [unowned self] v in self.activeRehashing = v == "yes" }
        hook("client-query-buffer-limit") { v in rw_current_limits.client_max_querybuf_len = Int64(v) ?? 0 }
        hook("tcp-keepalive") { v in rw_current_limits.tcp_keepalive = Int32(v) ?? 0 }
    }

    private func add(_ p: ConfigParam) {
        params.append(p)
        byName[p.name] = p
        for a in p.aliases { byName[a] = p }
    }

    /// Installs a hook run whenever the parameter changes.
    func hook(_ name: String, _ body: @escaping (String) -> Void) {
        byName[name]!.didSet = body
    }

    func param(_ name: String) -> ConfigParam? { byName[name.lowercased()] }

    subscript(name: String) -> String { byName[name]!.value }
    func int(_ name: String) -> Int64 { byName[name]!.int }
    func bool(_ name: String) -> Bool { byName[name]!.bool }
    var port: Int { Int(int("port")) }

    /// Sets a parameter from text (config file, command line or CONFIG SET).
    func set(_ name: String, _ text: String) throws {
        guard let p = param(name) else {
            throw ConfigError(message: "Bad directive or wrong number of arguments")
        }
        let v = try p.normalise(text)
        p.value = v
        p.didSet?(v)
    }

    /// Runs every hook with the current values (after loading the file).
    func applyAll() {
        for p in params { p.didSet?(p.value) }
    }

    /// Parameters CONFIG SET changes only with `enable-protected-configs` (Redis 7.0's
    /// PROTECTED_CONFIG).
    static let protectedNames: Set<String> = ["dir", "dbfilename"]

    static func validateSave(_ v: String) throws -> String {
        let parts = v.split(separator: " ")
        if parts.count == 1 && parts[0] == "" { return "" }
        if parts.count % 2 != 0 { throw ConfigError(message: "Invalid save parameters") }
        for p in parts where Int64(p) == nil || Int64(p)! < 0 {
            throw ConfigError(message: "Invalid save parameters")
        }
        return parts.joined(separator: " ")
    }

    /// Save points as (seconds, changes) pairs.
    var savePoints: [(Int64, Int64)] {
        let parts = self["save"].split(separator: " ").compactMap { Int64($0) }
        return stride(from: 0, to: parts.count - 1, by: 2).map { (parts[$0], parts[$0 + 1]) }
    }
}

func currentDirectory() -> String {
    var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buf, buf.count) != nil else { return "." }
    return String(cString: buf)
}

/// Argument documentation for COMMAND DOCS, written in a compact syntax notation and parsed
/// once at start-up into Redis 7.0's argument structure (name, type, token, flags, nested
/// arguments), which redis-cli uses for its hints.
///
/// Notation:
/// - `name` or `name:type` — an argument (type defaults to string; `key` arguments are keys,
///   numbered in order as key_spec_index 0, 1, ...).
/// - `WORD` (upper case) — a pure token; `WORD name:type` — an argument introduced by a token;
///   `name:WORD` — a pure token with a name of its own (GEOADD's `change:CH`).
/// - `[ ... ]` optional, `( ... )` a block, `a|b` alternatives (oneof); a group may be named
///   `label:[...]` or `label:(...)`.
/// - `...` after an argument or group: it repeats.
struct ArgumentDoc {
    enum Kind: String {
        case string, integer, double, key, pattern
        case unixTime = "unix-time"
        case pureToken = "pure-token"
        case oneof, block
    }
    var name: String
    var kind: Kind
    var token: String? = nil
    var optional = false
    var multiple = false
    var keySpecIndex: Int? = nil
    var children: [ArgumentDoc] = []

    /// Parses the notation. Malformed notation is a programming error in the table.
    static func parse(_ text: String) -> [ArgumentDoc] {
        var p = Parser(tokens: tokenize(text))
        let args = p.sequence(until: nil)
        precondition(p.index == p.tokens.count, "bad argument notation: \(text)")
        return args
    }

    private static func tokenize(_ text: String) -> [String] {
        var out: [String] = []
        var cur = ""
        for ch in text {
            if "[]()|".contains(ch) || ch == " " {
                if !cur.isEmpty { out.append(cur); cur = "" }
                if ch != " " { out.append(String(ch)) }
            } else {
                cur.append(ch)
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    private struct Parser {
        let tokens: [String]
        var index = 0

        mutating func sequence(until end: String?) -> [ArgumentDoc] {
            var items: [ArgumentDoc] = []
            while index < tokens.count {
                let t = tokens[index]
                if t == end || t == "|" || t == "]" || t == ")" { break }
                items.append(item())
            }
            return items
        }

        /// One argument, token-introduced argument, or group.
        mutating func item() -> ArgumentDoc {
            var t = tokens[index]
            index += 1
            var label: String? = nil
            if t.hasSuffix(":"), index < tokens.count, tokens[index] == "[" || tokens[index] == "(" {
                label = String(t.dropLast())
                t = tokens[index]
                index += 1
            }
            if t == "[" || t == "(" {
                let close = t == "[" ? "]" : ")"
                var alternatives: [[ArgumentDoc]] = [sequence(until: close)]
                while index < tokens.count && tokens[index] == "|" {
                    index += 1
                    alternatives.append(sequence(until: close))
                }
                index += 1  // the closing bracket
                var group: ArgumentDoc
                if alternatives.count > 1 {
                    let options = alternatives.map { $0.count == 1 ? $0[0] : ArgumentDoc(name: $0.map(\.name).joined(separator: "-"), kind: .block, children: $0) }
                    group = ArgumentDoc(name: label ?? options.map(\.name).joined(separator: "-"), kind: .oneof, children: options)
                } else if alternatives[0].count == 1 && label == nil {
                    group = alternatives[0][0]
                } else {
                    group = ArgumentDoc(name: label ?? alternatives[0].map(\.name).joined(separator: "-"), kind: .block, children: alternatives[0])
                }
                if close == "]" { group.optional = true }
                if index < tokens.count && tokens[index] == "..." { group.multiple = true; index += 1 }
                return group
            }
            var multiple = false
            if t.hasSuffix("...") { multiple = true; t = String(t.dropLast(3)) }
            if t.uppercased() == t && t.lowercased() != t {
                // A token followed by a group introduces the group ("TYPE [NORMAL|MASTER]").
                if index < tokens.count, tokens[index] == "(" || tokens[index] == "["
                    || (tokens[index].hasSuffix(":") && index + 1 < tokens.count) {
                    var group = item()
                    group.token = t
                    return group
                }
                // A token; a lower-case word right after it is the value it introduces.
                if index < tokens.count, case let next = tokens[index],
                   next.lowercased() == next, !"[]()|".contains(next), next != "..." {
                    index += 1
                    var arg = plain(next)
                    arg.token = t
                    if arg.name.hasSuffix("...") { arg.name = String(arg.name.dropLast(3)); arg.multiple = true }
                    return arg
                }
                var arg = ArgumentDoc(name: t.lowercased(), kind: .pureToken, token: t)
                arg.multiple = multiple
                return arg
            }
            var arg = plain(t)
            arg.multiple = arg.multiple || multiple
            return arg
        }

        mutating func plain(_ word: String) -> ArgumentDoc {
            var w = word
            var multiple = false
            if w.hasSuffix("...") { multiple = true; w = String(w.dropLast(3)) }
            let parts = w.split(separator: ":", maxSplits: 1).map(String.init)
            let name = parts[0]
            if parts.count == 2, parts[1].uppercased() == parts[1], parts[1].lowercased() != parts[1] {
                var token = ArgumentDoc(name: name, kind: .pureToken, token: parts[1])
                token.multiple = multiple
                return token
            }
            let kind: Kind
            if parts.count == 2 {
                kind = Kind(rawValue: parts[1]) ?? .string
            } else {
                kind = name == "key" || name.hasSuffix("key") ? .key : .string
            }
            var arg = ArgumentDoc(name: name, kind: kind)
            arg.multiple = multiple
            // COMMAND INFO describes every command's keys with one range key spec, so every
            // key argument refers to spec 0.
            if kind == .key { arg.keySpecIndex = 0 }
            return arg
        }
    }
}

extension CommandCommands {
    /// Writes one argument as Redis 7.0's COMMAND DOCS map.
    static func replyArgument(_ c: Client, _ a: ArgumentDoc) {
        var fields = 2
        if a.keySpecIndex != nil { fields += 1 }
        if a.token != nil { fields += 1 }
        if a.optional || a.multiple { fields += 1 }
        if !a.children.isEmpty { fields += 1 }
        c.map(fields)
        c.bulk("name"); c.bulk(a.name)
        c.bulk("type"); c.bulk(a.kind.rawValue)
        if let k = a.keySpecIndex { c.bulk("key_spec_index"); c.int(k) }
        if let t = a.token { c.bulk("token"); c.bulk(t) }
        if a.optional || a.multiple {
            let flags = (a.optional ? ["optional"] : []) + (a.multiple ? ["multiple"] : [])
            c.bulk("flags")
            c.set(flags.count)
            for f in flags { c.simple(f) }
        }
        if !a.children.isEmpty {
            c.bulk("arguments")
            c.array(a.children.count)
            for ch in a.children { replyArgument(c, ch) }
        }
    }
}

/// The argument notation of every command (by full name), for COMMAND DOCS.
enum CommandArgumentTable {
    private static let geoFrom = "from:(FROMMEMBER member|FROMLONLAT longitude_latitude:(longitude:double latitude:double))"
    private static let geoBy = "by:(circle:(BYRADIUS radius:double unit:(M|KM|FT|MI))|box:(BYBOX width:double height:double unit:(M|KM|FT|MI)))"
    private static let geoRadiusOptions = "[WITHCOORD] [WITHDIST] [WITHHASH] [count:(COUNT count:integer [ANY])] [order:(ASC|DESC)]"
    static let notation: [String: String] = [
        "get": "key", "set": "key value condition:[NX|XX] [GET] expiration:[EX seconds:integer|PX milliseconds:integer|EXAT unix-time-seconds:unix-time|PXAT unix-time-milliseconds:unix-time|KEEPTTL]",
        "setnx": "key value", "setex": "key seconds:integer value", "psetex": "key milliseconds:integer value",
        "getset": "key value", "getdel": "key",
        "getex": "key expiration:[EX seconds:integer|PX milliseconds:integer|EXAT unix-time-seconds:unix-time|PXAT unix-time-milliseconds:unix-time|PERSIST]",
        "mget": "key...", "mset": "key_value:(key value)...", "msetnx": "key_value:(key value)...",
        "append": "key value", "strlen": "key", "incr": "key", "decr": "key",
        "incrby": "key increment:integer", "decrby": "key decrement:integer", "incrbyfloat": "key increment:double",
        "getrange": "key start:integer end:integer", "substr": "key start:integer end:integer",
        "setrange": "key offset:integer value",
        "lcs": "key1:key key2:key [LEN] [IDX] [MINMATCHLEN len:integer] [WITHMATCHLEN]",
        "setbit": "key offset:integer value:integer", "getbit": "key offset:integer",
        "bitcount": "key index:[start:integer end:integer index_unit:[BYTE|BIT]]",
        "bitpos": "key bit:integer index:[start:integer end_index:[end:integer index_unit:[BYTE|BIT]]]",
        "bitop": "operation destkey:key key...",
        "bitfield": "key operation:[GET encoding_offset:(encoding offset:integer)|write:([OVERFLOW wrap_sat_fail:(WRAP|SAT|FAIL)] write_operation:(SET encoding_offset_value:(encoding offset:integer value:integer)|INCRBY encoding_offset_increment:(encoding offset:integer increment:integer)))]...",
        "bitfield_ro": "key [GET encoding_offset:(encoding offset:integer)]...",
        "pfadd": "key [element...]", "pfcount": "key...", "pfmerge": "destkey:key sourcekey:key...",
        "pfdebug": "subcommand key",
        "lpush": "key element...", "rpush": "key element...", "lpushx": "key element...",
        "rpushx": "key element...", "lpop": "key [count:integer]", "rpop": "key [count:integer]",
        "llen": "key", "lindex": "key index:integer", "lrange": "key start:integer stop:integer",
        "lpos": "key element [RANK rank:integer] [COUNT num-matches:integer] [MAXLEN len:integer]",
        "lset": "key index:integer element", "linsert": "key where:(BEFORE|AFTER) pivot element",
        "lrem": "key count:integer element", "ltrim": "key start:integer stop:integer",
        "rpoplpush": "source:key destination:key",
        "lmove": "source:key destination:key wherefrom:(LEFT|RIGHT) whereto:(LEFT|RIGHT)",
        "lmpop": "numkeys:integer key... where:(LEFT|RIGHT) [COUNT count:integer]",
        "blpop": "key... timeout:double", "brpop": "key... timeout:double",
        "brpoplpush": "source:key destination:key timeout:double",
        "blmove": "source:key destination:key wherefrom:(LEFT|RIGHT) whereto:(LEFT|RIGHT) timeout:double",
        "blmpop": "timeout:double numkeys:integer key... where:(LEFT|RIGHT) [COUNT count:integer]",
        "client|unblock": "client-id:integer timeout_error:[TIMEOUT|ERROR]",
        "hset": "key field_value:(field value)...", "hmset": "key field_value:(field value)...",
        "hsetnx": "key field value", "hget": "key field", "hmget": "key field...", "hdel": "key field...",
        "hlen": "key", "hstrlen": "key field", "hexists": "key field", "hkeys": "key", "hvals": "key",
        "hgetall": "key", "hincrby": "key field increment:integer", "hincrbyfloat": "key field increment:double",
        "hrandfield": "key [options:(count:integer [WITHVALUES])]",
        "hscan": "key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]",
        "sadd": "key member...", "srem": "key member...", "smove": "source:key destination:key member",
        "sismember": "key member", "smismember": "key member...", "scard": "key", "smembers": "key",
        "spop": "key [count:integer]", "srandmember": "key [count:integer]",
        "sinter": "key...", "sintercard": "numkeys:integer key... [LIMIT limit:integer]",
        "sinterstore": "destination:key key...", "sunion": "key...", "sunionstore": "destination:key key...",
        "sdiff": "key...", "sdiffstore": "destination:key key...",
        "sscan": "key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]",
        "zadd": "key [condition:(NX|XX)] [comparison:(GT|LT)] [CH] [INCR] score_member:(score:double member)...",
        "zincrby": "key increment:integer member", "zrem": "key member...", "zcard": "key",
        "zcount": "key min:double max:double", "zlexcount": "key min max", "zscore": "key member",
        "zmscore": "key member...", "zrank": "key member", "zrevrank": "key member",
        "zrange": "key start stop [sortby:(BYSCORE|BYLEX)] [REV] [limit:(LIMIT offset:integer count:integer)] [WITHSCORES]",
        "zrangestore": "dst:key src:key min max [sortby:(BYSCORE|BYLEX)] [REV] [limit:(LIMIT offset:integer count:integer)]",
        "zrangebyscore": "key min:double max:double [WITHSCORES] [limit:(LIMIT offset:integer count:integer)]",
        "zrevrangebyscore": "key max:double min:double [WITHSCORES] [limit:(LIMIT offset:integer count:integer)]",
        "zrangebylex": "key min max [limit:(LIMIT offset:integer count:integer)]",
        "zrevrangebylex": "key max min [limit:(LIMIT offset:integer count:integer)]",
        "zrevrange": "key start:integer stop:integer [WITHSCORES]",
        "zremrangebyrank": "key start:integer stop:integer", "zremrangebyscore": "key min:double max:double",
        "zremrangebylex": "key min max", "zpopmin": "key [count:integer]", "zpopmax": "key [count:integer]",
        "zmpop": "numkeys:integer key... where:(MIN|MAX) [COUNT count:integer]",
        "bzpopmin": "key... timeout:double", "bzpopmax": "key... timeout:double",
        "bzmpop": "timeout:double numkeys:integer key... where:(MIN|MAX) [COUNT count:integer]",
        "zrandmember": "key [options:(count:integer [WITHSCORES])]",
        "zunion": "numkeys:integer key... [WEIGHTS weight:integer...] [AGGREGATE aggregate:(SUM|MIN|MAX)] [WITHSCORES]",
        "zinter": "numkeys:integer key... [WEIGHTS weight:integer...] [AGGREGATE aggregate:(SUM|MIN|MAX)] [WITHSCORES]",
        "zdiff": "numkeys:integer key... [WITHSCORES]",
        "zunionstore": "destination:key numkeys:integer key... [WEIGHTS weight:integer...] [AGGREGATE aggregate:(SUM|MIN|MAX)]",
        "zinterstore": "destination:key numkeys:integer key... [WEIGHTS weight:integer...] [AGGREGATE aggregate:(SUM|MIN|MAX)]",
        "zdiffstore": "destination:key numkeys:integer key...",
        "zintercard": "numkeys:integer key... [LIMIT limit:integer]",
        "zscan": "key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]",
        "geoadd": "key [condition:(NX|XX)] [change:CH] longitude_latitude_member:(longitude:double latitude:double member)...",
        "geopos": "key member...", "geohash": "key member...",
        "geodist": "key member1 member2 [unit:(M|KM|FT|MI)]",
        "geosearch": "key \(geoFrom) \(geoBy) [order:(ASC|DESC)] [count:(COUNT count:integer [ANY])] [WITHCOORD] [WITHDIST] [WITHHASH]",
        "geosearchstore": "destination:key source:key \(geoFrom) \(geoBy) [order:(ASC|DESC)] [count:(COUNT count:integer [ANY])] [STOREDIST]",
        "georadius": "key longitude:double latitude:double radius:double unit:(M|KM|FT|MI) \(geoRadiusOptions) [STORE key] [STOREDIST key]",
        "georadius_ro": "key longitude:double latitude:double radius:double unit:(M|KM|FT|MI) \(geoRadiusOptions)",
        "georadiusbymember": "key member radius:double unit:(M|KM|FT|MI) \(geoRadiusOptions) [STORE key] [STOREDIST key]",
        "georadiusbymember_ro": "key member radius:double unit:(M|KM|FT|MI) \(geoRadiusOptions)",
        "sort": "key [BY pattern:pattern] [LIMIT offset_count:(offset:integer count:integer)] [GET pattern:pattern...] order:[ASC|DESC] [ALPHA] [STORE destination:key]",
        "sort_ro": "key [BY pattern:pattern] [LIMIT offset_count:(offset:integer count:integer)] [GET pattern:pattern...] order:[ASC|DESC] [ALPHA]",
        "del": "key...", "unlink": "key...", "exists": "key...", "type": "key", "touch": "key...",
        "expire": "key seconds:integer condition:[NX|XX|GT|LT]", "pexpire": "key milliseconds:integer condition:[NX|XX|GT|LT]",
        "expireat": "key unix-time-seconds:unix-time condition:[NX|XX|GT|LT]",
        "pexpireat": "key unix-time-milliseconds:unix-time condition:[NX|XX|GT|LT]",
        "ttl": "key", "pttl": "key", "expiretime": "key", "pexpiretime": "key", "persist": "key",
        "keys": "pattern:pattern", "scan": "cursor:integer [MATCH pattern:pattern] [COUNT count:integer] [TYPE type]",
        "rename": "key newkey:key", "renamenx": "key newkey:key",
        "copy": "source:key destination:key [DB destination-db:integer] [REPLACE]",
        "dump": "key", "restore": "key ttl:integer serialized-value:string [REPLACE] [ABSTTL] [IDLETIME seconds:integer] [FREQ frequency:integer]",
        "move": "key db:integer", "select": "index:integer", "swapdb": "index1:integer index2:integer",
        "flushdb": "async:[ASYNC|SYNC]", "flushall": "async:[ASYNC|SYNC]",
        "watch": "key...",
        "object|encoding": "key", "object|refcount": "key", "object|idletime": "key", "object|freq": "key",
        "ping": "[message]", "echo": "message", "auth": "[username] password",
        "hello": "arguments:[protover:integer [AUTH username_password:(username password)] [SETNAME clientname]]",
        "client|setname": "connection-name", "client|reply": "on_off_skip:(ON|OFF|SKIP)", "client|no-evict": "enabled:(ON|OFF)",
        "client|pause": "timeout:integer mode:[WRITE|ALL]",
        "client|list": "[TYPE normal_master_replica_pubsub:(NORMAL|MASTER|REPLICA|PUBSUB)] [ID id:(client-id:integer...)]",
        "client|kill": "filter:(ip:port|new-format:([ID client-id:integer] [TYPE normal_master_slave_pubsub:(NORMAL|MASTER|SLAVE|REPLICA|PUBSUB)] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME yes/no])...)",
        "subscribe": "channel...", "unsubscribe": "[channel...]", "psubscribe": "pattern:(pattern:pattern)...",
        "punsubscribe": "[pattern:pattern...]", "publish": "channel message",
        "ssubscribe": "shardchannel...", "sunsubscribe": "[shardchannel...]", "spublish": "shardchannel message",
        "pubsub|channels": "[pattern:pattern]", "pubsub|numsub": "[channel...]",
        "pubsub|shardchannels": "[pattern:pattern]", "pubsub|shardnumsub": "[shardchannel...]",
        "info": "[section...]", "config|get": "parameter...", "config|set": "parameter_value:(parameter value)...",
        "slowlog|get": "[count:integer]",
        "shutdown": "nosave_save:[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]", "bgsave": "[SCHEDULE]",
        "command|info": "[command-name...]", "command|docs": "[command-name...]",
        "command|list": "[FILTERBY filterby:(MODULE module-name|ACLCAT category|PATTERN pattern:pattern)]",
    ]
}

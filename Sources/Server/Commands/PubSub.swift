import CEventShim

/// Pub/Sub commands (Redis's pubsub.c): SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH
/// PUBSUB, and the shard variants SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, which outside a cluster
/// behave as Redis 7.0 does: plain channels of their own, counted apart, without patterns.
/// The subscription tables and the delivery are in PubSub/Subscriptions.swift.
enum PubSubCommands {
    /// Commands a RESP2 client may send while subscribed (its connection then carries pushes,
    /// so an ordinary reply could not be told apart from a message).
    private static let allowedWhileSubscribed: Set<String> = [
        "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe",
        "punsubscribe", "quit", "reset",
    ]

    /// Whether `cmd` may run for this client; replies Redis's error when it may not.
    /// The refusal of a command a RESP2 client may not run while subscribed, or nil when it
    /// may run.
    static func contextError(_ c: Client, _ cmd: Command) -> String? {
        if c.subscriptions == nil || c.resp != 2 || allowedWhileSubscribed.contains(cmd.name) { return nil }
        return "ERR Can't execute '\(cmd.fullName)': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
    }

    // MARK: - Subscribing

    static func subscribe(_ s: Server, _ c: Client, _ a: Args) { subscribe(s, c, a, .channel) }
    static func psubscribe(_ s: Server, _ c: Client, _ a: Args) { subscribe(s, c, a, .pattern) }
    static func ssubscribe(_ s: Server, _ c: Client, _ a: Args) {
        // Redis refuses it inside EXEC (SUBSCRIBE is let through there for compatibility).
        if c.denyBlocking {
            c.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
            return
        }
        subscribe(s, c, a, .shardChannel)
    }
    static func unsubscribe(_ s: Server, _ c: Client, _ a: Args) { unsubscribe(s, c, a, .channel) }
    static func punsubscribe(_ s: Server, _ c: Client, _ a: Args) { unsubscribe(s, c, a, .pattern) }
    static func sunsubscribe(_ s: Server, _ c: Client, _ a: Args) { unsubscribe(s, c, a, .shardChannel) }

    /// Every name is confirmed, subscribed before or not, with the client's count after it.
    static func subscribe(_ s: Server, _ c: Client, _ a: Args, _ kind: SubscriptionKind) {
        for i in 1..<a.count {
            let name = a.bytes(i)
            _ = s.pubsub.subscribe(c, name, kind)
            confirm(c, kind.subscribeWord, name, kind)
        }
    }

    /// Without arguments: every subscription of the kind, or one confirmation with a null
    /// name when there is none. With arguments: each name, subscribed or not.
    static func unsubscribe(_ s: Server, _ c: Client, _ a: Args, _ kind: SubscriptionKind) {
        if a.count == 1 {
            let names = c.subscriptions?.names(kind).inOrder ?? []
            if names.isEmpty { confirm(c, kind.unsubscribeWord, nil, kind) }
            for name in names {
                _ = s.pubsub.unsubscribe(c, name, kind)
                confirm(c, kind.unsubscribeWord, name, kind)
            }
        } else {
            for i in 1..<a.count {
                let name = a.bytes(i)
                _ = s.pubsub.unsubscribe(c, name, kind)
                confirm(c, kind.unsubscribeWord, name, kind)
            }
        }
        s.pubsub.settle(c)
    }

    /// `[subscribe|unsubscribe|..., name or null, count]` as a push.
    private static func confirm(_ c: Client, _ word: StaticString, _ name: [UInt8]?, _ kind: SubscriptionKind) {
        c.pushing {
            rw_reply_push(c.raw, 3)
            rw_reply_bulk(c.raw, word.utf8Start, word.utf8CodeUnitCount)
            if let n = name { c.bulk(n) } else { c.null() }
            c.int(c.subscriptions?.replyCount(kind) ?? 0)
        }
    }

    // MARK: - Publishing

    static func publish(_ s: Server, _ c: Client, _ a: Args) { c.int(s.publish(a[1], a[2])) }

    static func spublish(_ s: Server, _ c: Client, _ a: Args) { c.int(s.publishShard(a[1], a[2])) }

    // MARK: - PUBSUB

    static func channels(_ s: Server, _ c: Client, _ a: Args) { listChannels(s.pubsub.channels, c, a) }
    static func shardChannels(_ s: Server, _ c: Client, _ a: Args) { listChannels(s.pubsub.shardChannels, c, a) }
    static func numsub(_ s: Server, _ c: Client, _ a: Args) { countSubscribers(s.pubsub.channels, c, a) }
    static func shardNumsub(_ s: Server, _ c: Client, _ a: Args) { countSubscribers(s.pubsub.shardChannels, c, a) }
    static func numpat(_ s: Server, _ c: Client, _ a: Args) { c.int(s.pubsub.patterns.count) }

    /// The active channels, all or those matching the pattern.
    private static func listChannels(_ table: [[UInt8]: SubscriberSet], _ c: Client, _ a: Args) {
        if a.count > 3 { c.subcommandSyntaxError(a); return }
        let pattern = a.count == 3 ? a.bytes(2) : nil
        let names = table.keys.filter { name in pattern.map { globMatch($0, name) } ?? true }
        c.bulkArray(Array(names))
    }

    /// A flat array of (channel, subscriber count) pairs, in RESP3 too.
    private static func countSubscribers(_ table: [[UInt8]: SubscriberSet], _ c: Client, _ a: Args) {
        c.array((a.count - 2) * 2)
        for i in 2..<a.count {
            c.bulk(a[i])
            c.int(table[a.bytes(i)]?.count ?? 0)
        }
    }

    static func help(_ s: Server, _ c: Client, _ a: Args) {
        replyHelp(c, "PUBSUB", [
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
        ])
    }
}

extension Client {
    /// Runs `body` with replies enabled: Pub/Sub pushes reach the client even under CLIENT
    /// REPLY OFF or SKIP, as in Redis (its CLIENT_PUSHING flag).
    @inline(__always)
    func pushing(_ body: () -> Void) {
        let silenced = flags & UInt32(RW_REPLY_OFF | RW_REPLY_SKIP)
        if silenced == 0 {
            body()
            return
        }
        flags &= ~silenced
        body()
        flags |= silenced
    }
}

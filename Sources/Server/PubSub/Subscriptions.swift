import CEventShim

/// Pub/Sub state (Redis's pubsub.c): which clients listen to which channels and patterns, and
/// the delivery of messages. Commands are in Commands/PubSub.swift.
///
/// Two views of the same relation are kept in step: server-wide, channel or pattern →
/// subscribers (so PUBLISH finds its receivers without looking at other clients), and per
/// client, what it is subscribed to (so UNSUBSCRIBE without arguments, CLIENT LIST and a
/// disconnect do not scan the server-wide tables).

/// The three kinds of subscription, with the words of their replies.
enum SubscriptionKind {
    case channel, pattern, shardChannel

    var subscribeWord: StaticString {
        switch self {
        case .channel: return "subscribe"
        case .pattern: return "psubscribe"
        case .shardChannel: return "ssubscribe"
        }
    }

    var unsubscribeWord: StaticString {
        switch self {
        case .channel: return "unsubscribe"
        case .pattern: return "punsubscribe"
        case .shardChannel: return "sunsubscribe"
        }
    }
}

/// The clients subscribed to one channel or pattern. Adding and removing are O(1): each
/// client's position is indexed, and a removal moves the last subscriber into the hole (the
/// order in which the subscribers of one channel receive a message is not observable).
final class SubscriberSet {
    private(set) var clients: [Client] = []
    private var positions: [ObjectIdentifier: Int] = [:]

    var count: Int { clients.count }
    var isEmpty: Bool { clients.isEmpty }

    /// Adds a client that is not in the set yet.
    func insert(_ c: Client) {
        positions[ObjectIdentifier(c)] = clients.count
        clients.append(c)
    }

    /// Removes a client of the set.
    func remove(_ c: Client) {
        guard let i = positions.removeValue(forKey: ObjectIdentifier(c)) else { return }
        let last = clients.removeLast()
        if i < clients.count {
            clients[i] = last
            positions[ObjectIdentifier(last)] = i
        }
    }
}

/// A set of names that remembers the order they were added in: UNSUBSCRIBE and PUNSUBSCRIBE
/// without arguments answer in that order. Adding, removing and testing are O(1).
struct OrderedNames {
    private var order: [[UInt8]: UInt64] = [:]
    private var next: UInt64 = 0

    var count: Int { order.count }

    /// Adds a name; false if it was already there.
    mutating func insert(_ name: [UInt8]) -> Bool {
        if order[name] != nil { return false }
        order[name] = next
        next += 1
        return true
    }

    /// Removes a name; false if it was not there.
    mutating func remove(_ name: [UInt8]) -> Bool { order.removeValue(forKey: name) != nil }

    /// The names, oldest first.
    var inOrder: [[UInt8]] { order.sorted { $0.value < $1.value }.map { $0.key } }
}

/// What one client is subscribed to. A client holds one only while it has at least one
/// subscription (Redis's CLIENT_PUBSUB flag: the `P` of CLIENT LIST, the RESP2 subscribed
/// context).
final class ClientSubscriptions {
    var channels = OrderedNames()
    var patterns = OrderedNames()
    var shardChannels = OrderedNames()

    func names(_ kind: SubscriptionKind) -> OrderedNames {
        switch kind {
        case .channel: return channels
        case .pattern: return patterns
        case .shardChannel: return shardChannels
        }
    }

    /// Mutates one of the sets in place (a computed get/set would copy it on every change).
    func withNames<R>(_ kind: SubscriptionKind, _ body: (inout OrderedNames) -> R) -> R {
        switch kind {
        case .channel: return body(&channels)
        case .pattern: return body(&patterns)
        case .shardChannel: return body(&shardChannels)
        }
    }

    var total: Int { channels.count + patterns.count + shardChannels.count }

    /// The count a (un)subscribe reply carries: channels and patterns together, shard
    /// channels on their own (as Redis 7.0 counts them).
    func replyCount(_ kind: SubscriptionKind) -> Int {
        kind == .shardChannel ? shardChannels.count : channels.count + patterns.count
    }
}

/// Server-wide subscriptions (Redis's server.pubsub_channels, pubsub_patterns and
/// pubsubshard_channels). A channel or pattern with no subscriber left is dropped, so the
/// counts are those of PUBSUB NUMPAT and INFO pubsub_channels.
final class PubSubRegistry {
    private(set) var channels: [[UInt8]: SubscriberSet] = [:]
    private(set) var patterns: [[UInt8]: SubscriberSet] = [:]
    private(set) var shardChannels: [[UInt8]: SubscriberSet] = [:]

    func table(_ kind: SubscriptionKind) -> [[UInt8]: SubscriberSet] {
        switch kind {
        case .channel: return channels
        case .pattern: return patterns
        case .shardChannel: return shardChannels
        }
    }

    private func withTable<R>(_ kind: SubscriptionKind, _ body: (inout [[UInt8]: SubscriberSet]) -> R) -> R {
        switch kind {
        case .channel: return body(&channels)
        case .pattern: return body(&patterns)
        case .shardChannel: return body(&shardChannels)
        }
    }

    /// Subscribes `c` to `name`. Returns false if it already was.
    func subscribe(_ c: Client, _ name: [UInt8], _ kind: SubscriptionKind) -> Bool {
        let subs = c.subscriptions ?? ClientSubscriptions()
        c.subscriptions = subs
        guard subs.withNames(kind, { $0.insert(name) }) else { return false }
        withTable(kind) { t in
            if let set = t[name] {
                set.insert(c)
            } else {
                let set = SubscriberSet()
                set.insert(c)
                t[name] = set
            }
        }
        return true
    }

    /// Unsubscribes `c` from `name`. Returns false if it was not subscribed. The caller
    /// calls `settle` once it is done with the client.
    func unsubscribe(_ c: Client, _ name: [UInt8], _ kind: SubscriptionKind) -> Bool {
        guard let subs = c.subscriptions, subs.withNames(kind, { $0.remove(name) }) else { return false }
        withTable(kind) { t in
            guard let set = t[name] else { return }
            set.remove(c)
            if set.isEmpty { t[name] = nil }
        }
        return true
    }

    /// Drops the client's subscription record once nothing is left in it, which ends the
    /// subscribed context.
    func settle(_ c: Client) {
        if let subs = c.subscriptions, subs.total == 0 { c.subscriptions = nil }
    }

    /// Removes every subscription of a client that is going away.
    func removeAll(_ c: Client) {
        guard let subs = c.subscriptions else { return }
        for kind in [SubscriptionKind.channel, .pattern, .shardChannel] {
            for name in subs.names(kind).inOrder { _ = unsubscribe(c, name, kind) }
        }
        c.subscriptions = nil
    }
}

// MARK: - Delivery

extension Server {
    /// Sends `message` to the subscribers of `channel` and of every pattern matching it.
    /// Returns the number of receivers (a client counts once per matching subscription).
    /// Costs one lookup, one glob match per distinct pattern, and one write per receiver.
    @discardableResult
    func publish(_ channel: UnsafeRawBufferPointer, _ message: UnsafeRawBufferPointer) -> Int {
        var receivers = 0
        let registry = pubsub
        if !registry.channels.isEmpty, let set = registry.channels[Array(channel.bindMemory(to: UInt8.self))] {
            for c in set.clients {
                deliver(c, "message", pattern: nil, channel, message)
                receivers += 1
            }
        }
        for (pattern, set) in registry.patterns {
            let matches = pattern.withUnsafeBytes { globMatch($0, channel) }
            if !matches { continue }
            for c in set.clients {
                pattern.withUnsafeBytes { deliver(c, "pmessage", pattern: $0, channel, message) }
                receivers += 1
            }
        }
        return receivers
    }

    /// SPUBLISH: shard channels have no patterns.
    func publishShard(_ channel: UnsafeRawBufferPointer, _ message: UnsafeRawBufferPointer) -> Int {
        guard let set = pubsub.shardChannels[Array(channel.bindMemory(to: UInt8.self))] else { return 0 }
        for c in set.clients { deliver(c, "smessage", pattern: nil, channel, message) }
        return set.count
    }

    /// Writes one message push (a RESP2 array, a RESP3 push) and holds the receiver to its
    /// output limit: a subscriber that stops reading is what client-output-buffer-limit is for.
    private func deliver(_ c: Client, _ kind: StaticString, pattern: UnsafeRawBufferPointer?,
                         _ channel: UnsafeRawBufferPointer, _ message: UnsafeRawBufferPointer) {
        c.pushing {
            rw_reply_push(c.raw, pattern == nil ? 3 : 4)
            rw_reply_bulk(c.raw, kind.utf8Start, kind.utf8CodeUnitCount)
            if let p = pattern { c.bulk(p) }
            c.bulk(channel)
            c.bulk(message)
        }
        if UInt64(c.raw.pointee.reply_bytes) >= config.outputLimitFloor { enforceOutputLimit(c) }
    }
}

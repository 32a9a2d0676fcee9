import CEventShim

/// Clients blocked on keys (Redis's blocked.c): BLPOP and the other blocking commands wait
/// here until a key they wait for gets a value they can take, their timeout passes, CLIENT
/// UNBLOCK frees them, or they disconnect. The commands are in Commands/Blocking.swift.
///
/// How a key wakes its waiters: every key creation goes through Database's keyAdded hook
/// (Redis's signalKeyAsReady in dbAdd), which queues the key as ready when someone waits for
/// it. After each command (after EXEC as a whole), `serveBlockedClients` walks the ready keys
/// and serves their waiters in the order they blocked. Serving may create keys (BLMOVE pushes
/// to its destination), which queues them in turn: they are served in the same pass.
///
/// A blocked client's later input stays in its query buffer (the C flag RW_BLOCKED) and is
/// processed once it is unblocked, so pipelined commands keep their order.

/// The kind of value a blocked client waits for. A new blocking type (sorted sets, streams)
/// adds its case here and in `init?(_:)`, and blocks with its own serve function.
enum BlockType: Int, CaseIterable {
    case list
    case zset

    /// The block type a value can serve, if any.
    init?(_ value: Value) {
        switch value {
        case .list: self = .list
        case .zset: self = .zset
        default: return nil
        }
    }
}

/// Serves one blocked client from a key that holds a value of its type: pops (or moves) and
/// replies to `client`, which has already been unblocked. The value is never empty (empty
/// collections are deleted), and may be deleted or left for the next waiter.
typealias BlockedServe = (_ server: Server, _ client: Client, _ key: UnsafeRawBufferPointer,
                          _ entry: Entry) -> Void

/// What a blocked client waits for, and how to serve it.
final class BlockedState {
    /// Tells one blocking apart from the client's later ones (timeouts are removed lazily).
    let ticket: UInt64
    let db: Int
    /// The distinct keys, in argument order, and the client's place in each key's queue.
    let keys: [[UInt8]]
    fileprivate var nodes: [WaitNode] = []
    /// Absolute time in ms after which it times out; 0 for never.
    let deadline: Int64
    let type: BlockType
    let serve: BlockedServe
    /// The command and its arguments, for the statistics and slow log written when it ends.
    let command: Command
    let argv: [[UInt8]]
    /// Microseconds the call that blocked took.
    var callMicros: Int64 = 0

    fileprivate init(ticket: UInt64, db: Int, keys: [[UInt8]], deadline: Int64, type: BlockType,
                     serve: @escaping BlockedServe, command: Command, argv: [[UInt8]]) {
        self.ticket = ticket
        self.db = db
        self.keys = keys
        self.deadline = deadline
        self.type = type
        self.serve = serve
        self.command = command
        self.argv = argv
    }
}

/// A client's place in the queue of one key. The queue is a doubly linked list so a client
/// leaves it in O(1) whatever its place (timeouts, disconnects, CLIENT UNBLOCK).
private final class WaitNode {
    let client: Client
    weak var prev: WaitNode?
    var next: WaitNode?
    init(_ client: Client) { self.client = client }
}

/// The clients blocked on one key, first blocked first.
private final class WaitQueue {
    var head: WaitNode?
    var tail: WaitNode?
    var isEmpty: Bool { head == nil }

    func append(_ n: WaitNode) {
        n.prev = tail
        if let t = tail { t.next = n } else { head = n }
        tail = n
    }

    func remove(_ n: WaitNode) {
        if let p = n.prev { p.next = n.next } else { head = n.next }
        if let nx = n.next { nx.prev = n.prev } else { tail = n.prev }
        n.prev = nil
        n.next = nil
    }
}

/// Blocked clients ordered by deadline (Redis keeps a radix tree; a binary heap does here).
/// Entries of clients that were unblocked otherwise are dropped when they reach the top, or
/// all at once when they outnumber the live ones.
private struct TimeoutHeap {
    struct Item {
        let deadline: Int64
        let ticket: UInt64
        let client: Client
        var isLive: Bool { client.blocked?.ticket == ticket }
    }
    private(set) var items: [Item] = []

    var top: Item? { items.first }

    mutating func push(_ item: Item) {
        items.append(item)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent].deadline <= items[i].deadline { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() {
        let last = items.removeLast()
        guard !items.isEmpty else { return }
        items[0] = last
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l].deadline < items[m].deadline { m = l }
            if r < items.count && items[r].deadline < items[m].deadline { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
    }

    /// Drops the entries of clients no longer blocked, once they are most of the heap.
    mutating func compact(live: Int) {
        if live == 0 {
            items.removeAll(keepingCapacity: items.count <= 64)
            return
        }
        guard items.count > 64 && items.count > 2 * live else { return }
        items.removeAll { !$0.isLive }
        for i in stride(from: items.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }
}

/// Every blocked client, by key and by deadline.
final class BlockingRegistry {
    struct Key: Hashable {
        let db: Int
        let key: [UInt8]
    }
    private var waiters: [Key: WaitQueue] = [:]
    /// Keys that got a value someone may take, in the order they did (Redis's ready_keys).
    private var ready: [Key] = []
    private var readySet = Set<Key>()
    private var timeouts = TimeoutHeap()
    private var nextTicket: UInt64 = 0
    private var blockedByType = [Int](repeating: 0, count: BlockType.allCases.count)

    /// INFO clients blocked_clients and clients_in_timeout_table.
    private(set) var blockedCount = 0
    private(set) var withTimeout = 0

    var hasReadyKeys: Bool { !ready.isEmpty }

    fileprivate func add(_ c: Client, _ st: BlockedState) {
        for key in st.keys {
            let k = Key(db: st.db, key: key)
            let queue = waiters[k] ?? WaitQueue()
            waiters[k] = queue
            let node = WaitNode(c)
            queue.append(node)
            st.nodes.append(node)
        }
        blockedCount += 1
        blockedByType[st.type.rawValue] += 1
        if st.deadline > 0 {
            withTimeout += 1
            timeouts.push(.init(deadline: st.deadline, ticket: st.ticket, client: c))
        }
    }

    fileprivate func remove(_ st: BlockedState) {
        for (key, node) in zip(st.keys, st.nodes) {
            let k = Key(db: st.db, key: key)
            guard let queue = waiters[k] else { continue }
            queue.remove(node)
            if queue.isEmpty { waiters[k] = nil }
        }
        st.nodes = []
        blockedCount -= 1
        blockedByType[st.type.rawValue] -= 1
        if st.deadline > 0 {
            // Its heap entry stays until it surfaces; drop such entries once they dominate.
            withTimeout -= 1
            timeouts.compact(live: withTimeout)
        }
    }

    fileprivate func makeTicket() -> UInt64 {
        nextTicket += 1
        return nextTicket
    }

    /// Queues a key as ready if a client of the value's type waits for it.
    func signal(db: Int, key: UnsafeRawBufferPointer, type: BlockType) {
        guard blockedByType[type.rawValue] > 0 else { return }
        let k = Key(db: db, key: Array(key.bindMemory(to: UInt8.self)))
        guard waiters[k] != nil, readySet.insert(k).inserted else { return }
        ready.append(k)
    }

    /// The keys waited on in database `db` (SWAPDB looks them up again).
    func keysWaited(inDB db: Int) -> [[UInt8]] {
        waiters.keys.filter { $0.db == db }.map { $0.key }
    }

    fileprivate func takeReady() -> [Key] {
        let batch = ready
        ready = []
        readySet = []
        return batch
    }

    /// The clients waiting on a key, first blocked first.
    fileprivate func queue(_ k: Key) -> [Client] {
        var out: [Client] = []
        var n = waiters[k]?.head
        while let node = n {
            out.append(node.client)
            n = node.next
        }
        return out
    }

    /// Pops the clients whose deadline is before `now`.
    fileprivate func expired(before now: Int64) -> [Client] {
        var out: [Client] = []
        while let t = timeouts.top, t.deadline < now {
            timeouts.pop()
            if t.isLive { out.append(t.client) }
        }
        return out
    }

    /// The earliest deadline still pending, if any.
    fileprivate var nextDeadline: Int64? { timeouts.top?.deadline }
}

// MARK: - Blocking and unblocking

extension Server {
    /// Blocks `c` on `keys` until one of them can serve it (see BlockedServe), or until
    /// `deadline` (absolute ms, 0 for never). Called by a blocking command that found nothing
    /// to take; it replies nothing now.
    func block(_ c: Client, keys: [[UInt8]], deadline: Int64, type: BlockType, args: Args,
               serve: @escaping BlockedServe) {
        var distinct: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        for k in keys where seen.insert(k).inserted { distinct.append(k) }
        let st = BlockedState(ticket: blocking.makeTicket(), db: c.db.id, keys: distinct, deadline: deadline,
                              type: type, serve: serve, command: c.lastCommand!,
                              argv: (0..<args.count).map { args.bytes($0) })
        c.blocked = st
        c.flags |= UInt32(RW_BLOCKED)
        blocking.add(c, st)
        if deadline > 0, let next = blocking.nextDeadline { rw_set_wakeup(loop, next + 1) }
    }

    /// Takes `c` out of every queue. Its pending input is processed before the loop sleeps,
    /// unless it is going away.
    private func unblock(_ c: Client, resume: Bool = true) {
        guard let st = c.blocked else { return }
        blocking.remove(st)
        c.blocked = nil
        c.flags &= ~UInt32(RW_BLOCKED)
        if resume { resumeQueue.append(c) }
    }

    /// A blocked client is disconnecting: it leaves its queues, and its command is not
    /// counted (as in Redis).
    func forgetBlocked(_ c: Client) { unblock(c, resume: false) }

    /// Ends a blocking command that was not served: replies as a timeout (a null array) or
    /// with CLIENT UNBLOCK's error, and accounts for it.
    func unblockWithoutServing(_ c: Client, error: Bool, countAsFailed: Bool) {
        guard let st = c.blocked else { return }
        if error { c.error("UNBLOCKED client unblocked via CLIENT UNBLOCK") } else { c.nullArray() }
        unblock(c)
        accountUnblocked(c, st, micros: 0, failed: countAsFailed)
    }

    /// Redis 7.0's updateStatsOnUnblock: the call that blocked was counted then; when it ends
    /// the time to serve it is added, it counts as failed if that failed, and the slow log
    /// sees the call and the serving together.
    private func accountUnblocked(_ c: Client, _ st: BlockedState, micros: Int64, failed: Bool) {
        let cmd = st.command
        let total = st.callMicros + micros
        cmd.microseconds += micros
        if failed { cmd.failedCalls += 1 }
        if total >= config.slowlogSlowerThan && config.slowlogSlowerThan >= 0 && !cmd.flags.contains(.skipSlowlog) {
            withStoredArgs(st.argv) { args in
                slowlog.add(args: args, redacted: Server.redactedArguments(cmd, args), duration: total,
                            client: c, maxLen: config.slowlogMaxLen)
            }
        }
    }

    // MARK: - Waking

    /// A key was created: if clients of its value's type wait for it, it is ready.
    func signalKeyAsReady(_ db: Database, _ key: UnsafeRawBufferPointer, _ value: Value) {
        guard let type = BlockType(value) else { return }
        blocking.signal(db: db.id, key: key, type: type)
    }

    /// After SWAPDB: keys waited on in these databases may exist now (Redis's
    /// scanDatabaseForReadyKeys).
    func signalReadyKeysAfterSwap(_ dbsSwapped: [Database]) {
        guard blocking.blockedCount > 0 else { return }
        for db in dbsSwapped {
            for key in blocking.keysWaited(inDB: db.id) {
                key.withUnsafeBytes { k in
                    if let e = db.dict.find(k) { signalKeyAsReady(db, k, e.value) }
                }
            }
        }
    }

    /// Serves the clients waiting on the keys that became ready (Redis's
    /// handleClientsBlockedOnKeys). Each key's waiters are served in the order they blocked,
    /// while the key holds a value of their type; keys made ready meanwhile are served too.
    func serveBlockedClients() {
        while blocking.hasReadyKeys {
            for k in blocking.takeReady() {
                let db = dbs[k.db]
                k.key.withUnsafeBytes { key in
                    for c in blocking.queue(k) {
                        // Like Redis's lookup for this: expires, but counts no hit or miss.
                        guard let e = db.lookup(key, now: now), let type = BlockType(e.value) else { return }
                        // A client being closed (CLIENT KILL, output limit) would lose what it took.
                        guard let st = c.blocked, st.type == type, c.flags & UInt32(RW_CLOSE_ASAP) == 0 else { continue }
                        let errorsBefore = stats.errorReplies
                        let dirtyBefore = dirty
                        let start = rw_now_us()
                        unblock(c)
                        st.serve(self, c, key, e)
                        // Redis does not count a served blocked command as a change: the
                        // write that woke it was counted. It is propagated all the same, in
                        // the plain form its serve function set.
                        if let forms = c.propagateAs {
                            c.propagateAs = nil
                            if changes.enabled { appendForms(forms, db: k.db) }
                        }
                        dirty = dirtyBefore
                        accountUnblocked(c, st, micros: rw_now_us() - start, failed: stats.errorReplies != errorsBefore)
                    }
                }
            }
        }
    }

    /// Times out the clients whose deadline passed, and sets the loop's next wake-up to the
    /// nearest deadline left (millisecond precision, without waiting for the cron).
    func handleBlockedTimeouts() {
        if blocking.withTimeout == 0 { return }
        for c in blocking.expired(before: rw_now_ms()) {
            unblockWithoutServing(c, error: false, countAsFailed: false)
        }
        if let next = blocking.nextDeadline { rw_set_wakeup(loop, next + 1) }
    }

    /// Runs `body` with `argv` seen as command arguments.
    private func withStoredArgs(_ argv: [[UInt8]], _ body: (Args) -> Void) {
        let flat: [UInt8] = argv.flatMap { $0 } + [0]
        flat.withUnsafeBufferPointer { bytes in
            var offset = 0
            var slices = argv.map { a -> rw_slice in
                defer { offset += a.count }
                return rw_slice(ptr: bytes.baseAddress! + offset, len: a.count)
            }
            slices.withUnsafeMutableBufferPointer { body(Args(argv: $0.baseAddress!, count: argv.count)) }
        }
    }
}

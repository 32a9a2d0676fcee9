import CEventShim

/// A client's MULTI/WATCH state: Redis's `multiState`, the client's `watched_keys` list and
/// its CLIENT_MULTI / CLIENT_DIRTY_CAS / CLIENT_DIRTY_EXEC flags, in one value kept by `Client`.
/// Outside a transaction with nothing watched it is all empty, so the dispatcher pays one
/// Bool test (`inMulti`) per command.
struct TransactionState {
    /// Between MULTI and EXEC/DISCARD: commands are queued instead of run.
    var inMulti = false
    /// A watched key was touched (CLIENT_DIRTY_CAS): EXEC will answer a null array.
    var dirtyCAS = false
    /// A command was refused while queuing (CLIENT_DIRTY_EXEC): EXEC will answer EXECABORT.
    var dirtyExec = false
    /// The commands queued since MULTI. Once the transaction is doomed (either dirty flag)
    /// nothing more is kept, as in Redis: EXEC will not run them anyway.
    var queued: [QueuedCommand] = []
    /// The union of the queued commands' flags: EXEC of writes waits during CLIENT PAUSE
    /// WRITE, like the writes themselves (Redis's mstate.cmd_flags).
    var queuedFlags: CommandFlags = []
    /// The keys this client watches, in every database (each also indexed by its database).
    var watched: [WatchedKey] = []
    /// Bytes held by the queue and the watched keys (CLIENT LIST multi-mem, and the bound
    /// `Server.checkTransactionMemory` enforces).
    var memory = 0

    /// Whether EXEC can no longer succeed.
    var doomed: Bool { dirtyCAS || dirtyExec }
}

/// A command queued by MULTI: its table entry and its own copy of the arguments. The
/// scanner's argv points into the query buffer, which is reused by the next command, so the
/// bytes are copied once here, back to back in one array.
struct QueuedCommand {
    /// Commands live as long as the server.
    unowned(unsafe) let command: Command
    let bytes: [UInt8]
    /// Where each argument ends in `bytes`.
    let ends: [Int]

    init(_ command: Command, _ args: Args) {
        var total = 0
        for i in 0..<args.count { total += args[i].count }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(total)
        var ends: [Int] = []
        ends.reserveCapacity(args.count)
        for i in 0..<args.count {
            bytes.append(contentsOf: args[i])
            ends.append(bytes.count)
        }
        self.command = command
        self.bytes = bytes
        self.ends = ends
    }

    /// Memory this entry holds, for the transaction's accounting: the arguments, their
    /// offsets and a fixed cost for the entry and the two array headers.
    var footprint: Int { bytes.count + ends.count * MemoryLayout<Int>.stride + 80 }

    /// Calls `body` with the arguments presented as a live command's `Args`, whose slices
    /// point into `bytes` for the duration of the call only.
    func withArgs<R>(_ body: (Args) -> R) -> R {
        bytes.withUnsafeBytes { base in
            withUnsafeTemporaryAllocation(of: rw_slice.self, capacity: ends.count) { slices in
                var start = 0
                for (i, end) in ends.enumerated() {
                    let p = base.baseAddress.map { ($0 + start).assumingMemoryBound(to: UInt8.self) }
                    slices[i] = rw_slice(ptr: p, len: end - start)
                    start = end
                }
                return body(Args(argv: slices.baseAddress!, count: ends.count))
            }
        }
    }
}

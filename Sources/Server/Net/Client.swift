import CEventShim

/// Swift's half of a connection. The C half (`rw_client`) owns the socket, the query buffer
/// and the reply blocks; this object holds what commands need: the selected database,
/// authentication, names, and per-client modes.
public final class Client {
    let raw: UnsafeMutablePointer<rw_client>
    /// The server outlives every client.
    unowned(unsafe) let server: Server
    var db: Database
    var authenticated: Bool
    var name: [UInt8]? = nil
    var isMonitor = false
    var noEvict = false
    /// CLIENT REPLY SKIP: suppress the replies of the next command.
    var skipNext = false
    /// The last command run (CLIENT LIST cmd=). A reference, not its name: no string is
    /// copied on the request path. Commands live as long as the server.
    unowned(unsafe) var lastCommand: Command? = nil
    /// A fake client (AOF loading, scripts) has no connection.
    let isFake: Bool
    /// Channels and patterns this client listens to; nil when none (Redis's CLIENT_PUBSUB
    /// flag). See PubSub/Subscriptions.swift.
    var subscriptions: ClientSubscriptions? = nil
    /// Set while the client waits in a blocking command (BLPOP ...); its later input stays
    /// unread until it is served, times out or is unblocked (Blocking/BlockedClients.swift).
    var blocked: BlockedState? = nil
    /// Blocking commands must answer at once, as if they timed out, instead of blocking
    /// (Redis's CLIENT_DENY_BLOCKING). EXEC sets it while it runs the queued commands.
    var denyBlocking = false
    /// When the queued output first reached the soft limit of its class
    /// (client-output-buffer-limit), in milliseconds; 0 while under it.
    var softLimitSince: Int64 = 0
    /// MULTI/WATCH state (see Commands/Transactions.swift).
    var tx = TransactionState()
    /// Set by a command whose change must be propagated in another form (or not at all:
    /// an empty list); read and cleared once the command returns (Persistence/Propagation.swift).
    var propagateAs: [[[UInt8]]]? = nil

    init(raw: UnsafeMutablePointer<rw_client>, server: Server, fake: Bool = false) {
        self.raw = raw
        self.server = server
        self.db = server.dbs[0]
        self.authenticated = server.config.requirepass.isEmpty
        self.isFake = fake
    }

    public var id: UInt64 { raw.pointee.id }
    var resp: Int32 {
        get { raw.pointee.resp }
        set { raw.pointee.resp = newValue }
    }
    var flags: UInt32 {
        get { raw.pointee.flags }
        set { raw.pointee.flags = newValue }
    }

    var address: String { withUnsafeBytes(of: raw.pointee.addr) { cString($0) } }
    var localAddress: String { withUnsafeBytes(of: raw.pointee.laddr) { cString($0) } }
    var isUnixSocket: Bool { flags & UInt32(RW_UNIX_SOCKET) != 0 }
    /// The class CLIENT LIST/KILL TYPE and client-output-buffer-limit use (Redis's
    /// getClientType): "pubsub" while subscribed to anything, otherwise "normal" (MONITOR
    /// clients included).
    var typeName: String { subscriptions != nil ? "pubsub" : "normal" }

    /// Closes the connection once the replies queued so far are written.
    func closeAfterReply() { rw_client_close_after_reply(raw) }

    /// The CLIENT LIST / CLIENT INFO line for this client.
    func infoLine(now: Int64) -> String {
        let c = raw.pointee
        var fl = ""
        if isMonitor { fl += "O" }
        if subscriptions != nil { fl += "P" }
        if tx.inMulti { fl += "x" }
        if blocked != nil { fl += "b" }
        if tx.dirtyCAS { fl += "d" }
        if flags & UInt32(RW_CLOSE_AFTER_REPLY) != 0 { fl += "c" }
        if flags & UInt32(RW_UNIX_SOCKET) != 0 { fl += "U" }
        if noEvict { fl += "e" }
        if fl.isEmpty { fl = "N" }
        let nameStr = name.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let age = (now - c.ctime_ms) / 1000
        let idle = (now - c.last_io_ms) / 1000
        let qbuf = rw_client_qbuf_len(raw)
        let qbufFree = rw_client_qbuf_cap(raw) - rw_client_qbuf_len(raw)
        let omem = c.reply_bytes
        let multi = tx.inMulti ? tx.queued.count : -1
        let laddr = localAddress
        var line = "id=\(c.id) addr=\(address) laddr=\(laddr) fd=\(c.fd) name=\(nameStr) age=\(age) idle=\(idle) flags=\(fl) db=\(db.id) sub=\(subscriptions?.channels.count ?? 0) psub=\(subscriptions?.patterns.count ?? 0) ssub=\(subscriptions?.shardChannels.count ?? 0) multi=\(multi)"
        line += " qbuf=\(qbuf) qbuf-free=\(qbufFree) argv-mem=0 multi-mem=\(tx.memory) rbs=\(rw_client_qbuf_cap(raw)) rbp=0 obl=0 oll=0 omem=\(omem) tot-mem=\(Int(omem) + Int(rw_client_qbuf_cap(raw)) + tx.memory + 1024)"
        line += " events=r cmd=\(lastCommand?.fullName ?? "NULL") user=default redir=-1 resp=\(c.resp)"
        return line
    }
}

/// A NUL-terminated C string in a fixed buffer, as a Swift String.
func cString(_ raw: UnsafeRawBufferPointer) -> String {
    var n = 0
    while n < raw.count && raw[n] != 0 { n += 1 }
    return String(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<n]), as: UTF8.self)
}

import CEventShim
import Glibc

/// The Redis version Redwing reports (INFO redis_version, HELLO, fatal config reports):
/// tools branch on it, and Redwing implements 7.0's behaviour.
public let redwingRedisVersion = "7.0.15"
public let redwingVersion = "0.1.0"

/// The server: configuration, databases, clients, statistics, and the loop callbacks.
/// Everything here runs on the main thread.
public final class Server {
    let config: Config
    var dbs: [Database] = []
    var loop: OpaquePointer! = nil
    let log: Logger
    var commands: [Command] = []
    var lookup: CommandLookup! = nil

    /// Milliseconds at the start of the current command (expiry decisions use it).
    var now: Int64 = rw_now_ms()
    /// Changes since the last save.
    var dirty: Int64 = 0
    let startTimeMs = rw_now_ms()
    let runID: String
    var stats = Stats()
    var slowlog = SlowLog()
    var monitors: [Client] = []
    var pauseUntil: Int64 = 0
    var pauseWritesOnly = false
    var pausedClients: [Client] = []
    var resumeQueue: [Client] = []
    var shutdownRequested = false
    var cronLoops: Int64 = 0
    var lastExpireCycleTimedOut = false
    var lastFastCycleMs: Int64 = 0
    let lazyFree = LazyFree()
    /// Pub/Sub subscriptions (PubSub/Subscriptions.swift).
    let pubsub = PubSubRegistry()
    /// EXEC is running its queue (Redis's server.in_exec): nested calls keep the clock;
    /// blocking commands must not block (CLIENT_DENY_BLOCKING).
    var inExec = false
    /// Error replies counted when the current call began, moved on by nested calls (Redis's
    /// prev_err_count): a failure inside EXEC is the failing command's, not EXEC's.
    var errorMark: Int64 = 0
    /// Clients blocked on keys (Blocking/BlockedClients.swift).
    let blocking = BlockingRegistry()
    /// RDB snapshots: the running BGSAVE, save status, loading state (Persistence/).
    let rdb = RDBState()
    /// Changes in propagated form, for the AOF (Persistence/Propagation.swift).
    let changes = ChangeStream()
    /// The append-only file being written, with `appendonly yes` (Persistence/AOF.swift).
    var aof: AppendOnlyFile? = nil
    /// BGREWRITEAOF in progress, and its state (Persistence/AOFRewrite.swift).
    var aofRewrite: AOFRewrite? = nil
    let aofState = AOFState()

    public init(config: Config) {
        self.config = config
        self.log = Logger(config: config)
        var rid = ""
        let hex = Array("0123456789abcdef")
        for _ in 0..<40 { rid.append(hex[Int(FastRandom.next() & 15)]) }
        self.runID = rid
        for i in 0..<config.databases {
            let db = Database(id: i)
            dbs.append(db)
        }
        for db in dbs { db.listener = self }
        LRUClock.now = UInt32(truncatingIfNeeded: rw_now_ms() / 1000)
        commands = CommandTable.all()
        lookup = CommandLookup(commands)
    }

    // MARK: - Start-up

    /// Opens the listeners and runs the loop until shutdown. Returns the exit status.
    public func run() -> Int32 {
        nonisolated(unsafe) var callbacks = rw_callbacks(
            on_accept: { c in theServer.accept(c!) },
            on_input: { c in theServer.processInput(c!) },
            on_close: { c in theServer.clientClosed(c!) },
            before_sleep: { theServer.beforeSleep() },
            on_cron: { theServer.cron() },
            on_signal: { sig in theServer.signalReceived(sig) })
        loop = rw_server_new(&callbacks)
        theServer = self
        guard loop != nil else {
            log.warning("Failed creating the event loop")
            return 1
        }
        let backlog = Int32(config.int("tcp-backlog"))
        if !listenTCP(port: config.port, bind: config["bind"]) {
            log.warning("Failed listening on port \(config.port) (TCP), aborting.")
            return 1
        }
        let unixPath = config["unixsocket"]
        if !unixPath.isEmpty {
            let perm = Int32(config["unixsocketperm"], radix: 8) ?? 0
            if rw_listen_unix(loop, unixPath, perm, backlog) < 0 {
                log.warning("Failed opening Unix socket: \(String(cString: strerror(errno)))")
                return 1
            }
        }
        rw_set_cron_period(loop, Int32(1000 / config.hz))
        log.notice("Server initialized")
        if config.bool("appendonly") {
            // The AOF, when on, holds the whole dataset: the RDB file is not read (as Redis).
            if !openAppendOnlyAtStartup() { return 1 }
        } else if !loadAtStartup() {
            return 1
        }
        log.notice("Ready to accept connections")
        rw_server_run(loop)
        return finishShutdown()
    }

    // MARK: - Connections

    /// Opens the TCP listeners for `bind` on `port` (none for port 0). A leading '-' marks an
    /// optional address (IPv6 may be unavailable). On failure, what was opened is closed.
    func listenTCP(port: Int, bind: String) -> Bool {
        if port == 0 { return true }
        let backlog = Int32(config.int("tcp-backlog"))
        var opened = 0
        for addr in bind.split(separator: " ") {
            let a = String(addr)
            if rw_listen_tcp(loop, a, Int32(port), backlog) < 0 {
                let err = String(cString: strerror(errno))
                if a.hasPrefix("-") { continue }
                log.warning("Warning: Could not create server TCP listening socket \(a):\(port): \(err)")
                rw_close_tcp_listeners(loop)
                return false
            }
            opened += 1
        }
        if opened == 0 { rw_close_tcp_listeners(loop) }
        return opened > 0
    }

    /// CONFIG SET port/bind: listen on the new addresses, or keep the old ones on failure.
    func rebind(port: Int, bind: String, oldPort: Int, oldBind: String) -> Bool {
        rw_close_tcp_listeners(loop)
        if listenTCP(port: port, bind: bind) { return true }
        _ = listenTCP(port: oldPort, bind: oldBind)
        return false
    }

    private func accept(_ c: UnsafeMutablePointer<rw_client>) -> UnsafePointer<CChar>? {
        if Int(rw_client_count(loop)) > config.maxclients {
            stats.rejectedConnections += 1
            return Server.maxClientsError
        }
        let client = Client(raw: c, server: self)
        // Until it authenticates, the scanner holds this client to Redis's small input limits.
        if !client.authenticated { c.pointee.flags |= UInt32(RW_UNAUTHENTICATED) }
        c.pointee.owner = Unmanaged.passRetained(client).toOpaque()
        stats.connectionsReceived += 1
        return nil
    }

    nonisolated(unsafe) static let maxClientsError: UnsafePointer<CChar> = {
        let s = "ERR max number of clients reached"
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: s.utf8.count + 1)
        strcpy(p, s)
        return UnsafePointer(p)
    }()

    private func clientClosed(_ c: UnsafeMutablePointer<rw_client>) {
        guard let owner = c.pointee.owner else { return }
        let client = Unmanaged<Client>.fromOpaque(owner).takeRetainedValue()
        stats.netInput += Int64(c.pointee.net_in)
        stats.netOutput += Int64(c.pointee.net_out)
        if client.isMonitor { monitors.removeAll { $0 === client } }
        unwatchAllKeys(client)
        pausedClients.removeAll { $0 === client }
        resumeQueue.removeAll { $0 === client }
        if client.subscriptions != nil { pubsub.removeAll(client) }
        if client.blocked != nil { forgetBlocked(client) }
    }

    @inline(__always)
    func client(of c: UnsafeMutablePointer<rw_client>) -> Client {
        Unmanaged<Client>.fromOpaque(c.pointee.owner!).takeUnretainedValue()
    }

    /// Every connected client (for CLIENT LIST, timeouts, INFO).
    func allClients() -> [Client] {
        var out: [Client] = []
        var p = rw_client_next(loop, nil)
        while let c = p {
            if c.pointee.owner != nil { out.append(client(of: c)) }
            p = rw_client_next(loop, c)
        }
        return out
    }

    // MARK: - Command execution

    /// Runs every complete command in the client's query buffer.
    private func processInput(_ c: UnsafeMutablePointer<rw_client>) {
        let client = self.client(of: c)
        if c.pointee.flags & UInt32(RW_UNAUTHENTICATED) != 0 && (client.authenticated || config.requirepass.isEmpty) {
            c.pointee.flags &= ~UInt32(RW_UNAUTHENTICATED)
        }
        while true {
            if pauseUntil > 0 && isPaused(for: client) { return }
            // Backpressure: the rest waits in the query buffer until the output drains.
            if rw_client_output_full(c) != 0 { return }
            let r = rw_next_command(c)
            if r == 0 { return }
            if r < 0 {
                let msg = String(cString: c.pointee.err)
                client.error("ERR " + msg)
                log.verbose("Protocol error (\(msg)) from client: \(client.infoLine(now: now))")
                client.closeAfterReply()
                return
            }
            // CLIENT REPLY SKIP covers exactly the next command, whatever it turns out to be
            // (even an unknown one); that command may arm it again.
            let skipping = client.skipNext
            if skipping {
                client.skipNext = false
                client.flags |= UInt32(RW_REPLY_SKIP)
            }
            let ran = execute(client, Args(argv: c.pointee.argv, count: Int(c.pointee.argc)))
            if skipping { client.flags &= ~UInt32(RW_REPLY_SKIP) }
            // client-output-buffer-limit for the client's own replies (Net/OutputLimits.swift).
            if UInt64(c.pointee.reply_bytes) >= config.outputLimitFloor && enforceOutputLimit(client) { return }
            if !ran {
                // Held by CLIENT PAUSE WRITE: scanned again when the pause ends.
                if skipping { client.skipNext = true }
                rw_client_unread_command(c)
                hold(client)
                return
            }
            // A command that blocked holds the rest of the input until the client is unblocked.
            if c.pointee.flags & UInt32(RW_CLOSE_AFTER_REPLY | RW_CLOSE_ASAP | RW_BLOCKED) != 0 { return }
        }
    }

    /// Looks the command up, checks arity and authentication, and calls it. Returns false when
    /// the command must wait (a write during CLIENT PAUSE WRITE); it has not run then.
    @discardableResult
    func execute(_ client: Client, _ args: Args) -> Bool {
        guard var cmd = lookup.find(args[0]) else {
            client.lastCommand = nil
            rejectUnknown(client, args)
            return true
        }
        if cmd.isContainer {
            if args.count >= 2 {
                guard let sub = cmd.subcommand(args[1]) else {
                    client.lastCommand = nil
                    let upper = args.echo(0, max: Int.max).map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }
                    reject(client, nil, args, Array("ERR unknown subcommand '".utf8) + args.echo(1) +
                           Array("'. Try ".utf8) + upper + Array(" HELP.".utf8))
                    return true
                }
                cmd = sub
            }
        }
        // CLIENT LIST cmd= names it even when it is refused or queued, as in Redis.
        client.lastCommand = cmd
        if !cmd.arityOK(args.count) {
            reject(client, cmd, args, Array(Client.arityMessage(cmd.fullName).utf8))
            return true
        }
        if !client.authenticated && !config.requirepass.isEmpty && !cmd.flags.contains(.noAuth) {
            reject(client, cmd, args, Array("NOAUTH Authentication required.".utf8))
            return true
        }
        if rdb.loading && !client.isFake && !cmd.flags.contains(.loading) {
            reject(client, cmd, args, Array("LOADING Redis is loading the dataset in memory".utf8))
            return true
        }
        if writesDeniedByDiskError && !client.isFake
            && (commandFlags(cmd, client).contains(.write) || cmd.name == "ping") {
            reject(client, cmd, args, Array(diskErrorMessage.utf8))
            return true
        }
        if client.tx.inMulti && cmd.flags.contains(.noMulti) {
            reject(client, cmd, args, Array("ERR Command not allowed inside a transaction".utf8))
            return true
        }
        if client.isMonitor && !cmd.flags.isDisjoint(with: [.readonly, .write, .mayReplicate]) {
            reject(client, cmd, args, Array("ERR Replica can't interact with the keyspace".utf8))
            return true
        }
        if client.subscriptions != nil, let refusal = PubSubCommands.contextError(client, cmd) {
            reject(client, cmd, args, Array(refusal.utf8))
            return true
        }
        if pauseUntil > 0 && pauseWritesOnly && !client.isFake
            && !commandFlags(cmd, client).isDisjoint(with: [.write, .mayReplicate]) {
            if rw_now_ms() < pauseUntil { return false }
            unpause()
        }
        // Transactions (Transactions.swift): inside MULTI, commands are queued for EXEC,
        // except those that drive the transaction.
        if client.tx.inMulti && !cmd.runsInsideMulti {
            queueCommand(client, cmd, args)
            return true
        }
        call(cmd, client, args)
        // Clients blocked on keys this command (or this EXEC) made ready are served now.
        if blocking.hasReadyKeys { serveBlockedClients() }
        return true
    }

    /// Refuses a command before it runs (Redis's rejectCommand): the error is the reply, a
    /// transaction being queued is doomed to EXECABORT, and a refused EXEC aborts at once.
    private func reject(_ client: Client, _ cmd: Command?, _ args: Args, _ error: [UInt8]) {
        flagTransaction(client)
        guard let cmd = cmd else {
            client.error(bytes: error)
            return
        }
        cmd.rejectedCalls += 1
        if cmd.fullName == "exec" {
            abortExec(client, cmd, args, error: error)
        } else {
            client.error(bytes: error)
        }
    }

    /// Redis's reply to an unknown command: the name and the first arguments, quoted, until
    /// about 128 bytes of arguments have been written.
    private func rejectUnknown(_ client: Client, _ args: Args) {
        var rest: [UInt8] = []
        var i = 1
        while i < args.count && rest.count < 128 {
            rest += [39] + args.echo(i, max: 128 - rest.count) + [39, 32]
            i += 1
        }
        reject(client, nil, args, Array("ERR unknown command '".utf8) + args.echo(0) +
               Array("', with args beginning with: ".utf8) + rest)
    }

    /// Executes a command and accounts for it (commandstats, slowlog, monitors).
    @inline(__always)
    func call(_ cmd: Command, _ client: Client, _ args: Args) {
        let start = rw_now_us()
        // Inside EXEC the clock stands still, as in Redis: no key expires halfway.
        if !inExec { now = start / 1000 }
        errorMark = stats.errorReplies
        let dirtyBefore = dirty
        let db = client.db.id
        cmd.handler!(self, client, args)
        if changes.enabled && dirty != dirtyBefore {
            propagateCall(client, db, args)
        } else if client.propagateAs != nil {
            client.propagateAs = nil
        }
        let duration = rw_now_us() - start
        cmd.calls += 1
        cmd.microseconds += duration
        if stats.errorReplies != errorMark { cmd.failedCalls += 1 }
        errorMark = stats.errorReplies
        stats.commandsProcessed += 1
        if !monitors.isEmpty && !cmd.flags.contains(.skipMonitor) && !cmd.flags.contains(.admin) {
            feedMonitors(client, args, cmd)
        }
        if let blocked = client.blocked {
            // Its slow log entry waits until it ends (Blocking/BlockedClients.swift).
            blocked.callMicros = duration
        } else if duration >= config.slowlogSlowerThan && config.slowlogSlowerThan >= 0
            && !cmd.flags.contains(.skipSlowlog) {
            slowlog.add(args: args, redacted: Server.redactedArguments(cmd, args), duration: duration,
                        client: client, maxLen: config.slowlogMaxLen)
        }
    }

    func countError(_ code: String) {
        stats.errorReplies += 1
        stats.errorCodes[code, default: 0] += 1
    }

    // MARK: - MONITOR

    func feedMonitors(_ client: Client, _ args: Args, _ cmd: Command) {
        let us = rw_now_us()
        let origin = client.isUnixSocket ? "unix:" + config["unixsocket"] : client.address
        var line = "\(us / 1_000_000).\(String(format6: us % 1_000_000)) [\(client.db.id) \(origin)]"
        let secret = Server.redactedArguments(cmd, args)
        for i in 0..<args.count {
            line += " " + (secret.contains(i) ? "\"(redacted)\"" : reprBytes(args[i]))
        }
        for m in monitors {
            // A monitor that does not read would grow without bound: past the backpressure
            // limit it is disconnected, as Redis does for clients over their output limit.
            if rw_client_output_full(m.raw) != 0 {
                log.warning("Client \(m.infoLine(now: now)) scheduled to be closed ASAP for overcoming of output buffer limits.")
                rw_client_close_async(m.raw)
                continue
            }
            m.simple(line)
        }
    }

    /// Arguments that must not appear in MONITOR or SLOWLOG: AUTH's credentials and the user
    /// and password after HELLO's AUTH.
    static func redactedArguments(_ cmd: Command, _ args: Args) -> Set<Int> {
        switch cmd.name {
        case "auth":
            return Set(1..<args.count)
        case "hello":
            var out = Set<Int>()
            var j = 2
            while j < args.count {
                if args.is(j, "AUTH") && j + 2 < args.count {
                    out.insert(j + 1)
                    out.insert(j + 2)
                    j += 3
                } else {
                    j += 1
                }
            }
            return out
        default:
            return []
        }
    }

    // MARK: - CLIENT PAUSE

    func isPaused(for client: Client) -> Bool {
        if rw_now_ms() >= pauseUntil {
            unpause()
            return false
        }
        // Only a pause of all commands holds input here; WRITE pauses are checked per command.
        if pauseWritesOnly { return false }
        hold(client)
        return true
    }

    /// Stops reading the client's input until the pause ends.
    func hold(_ client: Client) {
        if client.flags & UInt32(RW_PAUSED_INPUT) == 0 {
            pausedClients.append(client)
            client.flags |= UInt32(RW_PAUSED_INPUT)
        }
    }

    /// Ends the pause. Held clients resume before the loop sleeps, not here: this may run
    /// inside another client's command (CLIENT UNPAUSE).
    func unpause() {
        pauseUntil = 0
        pauseWritesOnly = false
        resumeQueue.append(contentsOf: pausedClients)
        pausedClients = []
    }

    private func resumeHeldClients() {
        while !resumeQueue.isEmpty {
            let waiting = resumeQueue
            resumeQueue = []
            for c in waiting {
                c.flags &= ~UInt32(RW_PAUSED_INPUT)
                rw_client_resume_input(c.raw)
            }
        }
    }

    // MARK: - Loop hooks

    private func beforeSleep() {
        // Blocked clients that time out join the resume queue, so their input runs below.
        handleBlockedTimeouts()
        if pauseUntil > 0 && rw_now_ms() >= pauseUntil { unpause() }
        if !resumeQueue.isEmpty { resumeHeldClients() }
        if config.activeExpireEnabled && lastExpireCycleTimedOut { activeExpireCycle(fast: true) }
        if rdb.job != nil || aofRewrite != nil { advanceBackgroundJobs() }
        // Last: the changes of this iteration reach the AOF before any reply goes out.
        if aof != nil { flushAppendOnlyFile() }
    }

    private func cron() {
        cronLoops += 1
        now = rw_now_ms()
        LRUClock.now = UInt32(truncatingIfNeeded: now / 1000)
        // While loading, the databases are half built: only the clock moves on.
        if rdb.loading { return }
        if shutdownRequested {
            shutdownRequested = false
            if prepareShutdown(save: nil, force: false) { rw_server_stop(loop) }
            return
        }
        if config.activeExpireEnabled { activeExpireCycle() }
        for db in dbs {
            db.dict.shrinkIfSparse()
            if config.activeRehashing { db.dict.rehashFor(milliseconds: 1) }
        }
        if config.timeout > 0 && cronLoops % Int64(max(config.hz / 10, 1)) == 0 { closeIdleClients() }
        if cronLoops % Int64(config.hz) == 0 { shrinkIdleBuffers() }
        enforceOutputLimitsInCron()
        rdbCron()
        aofCron()
        if let aof = aof {
            // A failed write is retried here even when no new command comes.
            if !changes.aofBuffer.isEmpty { flushAppendOnlyFile() }
            if config["appendfsync"] == "everysec" { aof.backgroundFsync(now: now) }
        }
        stats.sampleOps(now: now, commands: stats.commandsProcessed, netIn: currentNetInput(), netOut: currentNetOutput())
        if pauseUntil > 0 && now >= pauseUntil { unpause() }
    }

    private func closeIdleClients() {
        let limit = config.timeout * 1000
        // Subscribers and blocked clients wait, they do not idle: the timeout spares them, as in Redis.
        for c in allClients() where !c.isMonitor && c.subscriptions == nil && c.blocked == nil {
            if now - c.raw.pointee.last_io_ms > limit {
                log.verbose("Closing idle client")
                rw_client_close_async(c.raw)
            }
        }
    }

    /// Once a second: clients idle for 2 s give back their query buffers (Redis's
    /// clientsCronResizeQueryBuffer), so thousands of idle connections cost little memory.
    private func shrinkIdleBuffers() {
        var p = rw_client_next(loop, nil)
        while let c = p {
            if now - c.pointee.last_io_ms > 2000 { rw_client_shrink_idle(c) }
            p = rw_client_next(loop, c)
        }
    }

    /// Bytes read from clients so far: those of closed connections plus the live ones.
    func currentNetInput() -> Int64 { stats.netInput + sumOverClients { $0.net_in } }

    /// Bytes written to clients so far.
    func currentNetOutput() -> Int64 { stats.netOutput + sumOverClients { $0.net_out } }

    private func sumOverClients(_ field: (rw_client) -> UInt64) -> Int64 {
        var total: Int64 = 0
        var p = rw_client_next(loop, nil)
        while let c = p {
            total += Int64(field(c.pointee))
            p = rw_client_next(loop, c)
        }
        return total
    }

    // MARK: - Shutdown

    private func signalReceived(_ sig: Int32) {
        let name = sig == SIGINT ? "SIGINT" : "SIGTERM"
        log.warning("Received \(name) scheduling shutdown...")
        shutdownRequested = true
    }

    /// Gets ready to exit: closes listeners, removes the pidfile. Returns false if the
    /// shutdown must be refused.
    func prepareShutdown(save: Bool?, force: Bool) -> Bool {
        log.warning("User requested shutdown...")
        cancelBackgroundSave()
        if let rw = aofRewrite {
            log.warning("There is a background AOF rewrite in progress. Cancelling it!")
            rw.job.cancel()
            rw.job.wait()
            aofRewrite = nil
        }
        if save == true || (save == nil && !config.savePoints.isEmpty) {
            log.notice("Saving the final RDB snapshot before exiting.")
            if !saveNow() && !force {
                log.warning("Error trying to save the DB, can't exit.")
                return false
            }
        }
        if let aof = aof {
            log.notice("Calling fsync() on the AOF file.")
            flushAppendOnlyFile(force: true)
            aof.finalFsync()
        }
        rw_close_listeners(loop)
        let pid = config["pidfile"]
        if !pid.isEmpty {
            log.notice("Removing the pid file.")
            unlink(pid)
        }
        log.warning("Redis is now ready to exit, bye bye...")
        return true
    }

    private func finishShutdown() -> Int32 { 0 }
}

/// The one server of this process; the C callbacks reach it through here.
nonisolated(unsafe) var theServer: Server! = nil

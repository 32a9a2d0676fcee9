import CEventShim

/// MULTI EXEC DISCARD WATCH UNWATCH (Redis's multi.c), and the dispatcher's side of
/// transactions: queuing, refusals that doom a transaction, and EXEC's own flags.
///
/// Life of a transaction: MULTI sets `inMulti`; from then on `Server.execute` queues every
/// command but EXEC DISCARD MULTI WATCH QUIT RESET and answers +QUEUED. A command refused
/// while queuing (unknown, wrong arity, not allowed in MULTI ...) sets `dirtyExec`, and a
/// touched watched key sets `dirtyCAS`; either way nothing more is kept. EXEC then answers
/// EXECABORT, or a null array, or runs the queue through `Server.call` and answers the array
/// of the replies.
enum TransactionCommands {
    static func multi(_ s: Server, _ c: Client, _ a: Args) {
        if c.tx.inMulti {
            c.error("ERR MULTI calls can not be nested")
            return
        }
        c.tx.inMulti = true
        c.ok()
    }

    static func discard(_ s: Server, _ c: Client, _ a: Args) {
        guard c.tx.inMulti else {
            c.error("ERR DISCARD without MULTI")
            return
        }
        s.discardTransaction(c)
        c.ok()
    }

    static func exec(_ s: Server, _ c: Client, _ a: Args) {
        guard c.tx.inMulti else {
            c.error("ERR EXEC without MULTI")
            return
        }
        if s.isWatchedKeyExpired(c) { c.tx.dirtyCAS = true }
        if c.tx.doomed {
            if c.tx.dirtyExec {
                c.error("EXECABORT Transaction discarded because of previous errors.")
            } else {
                c.nullArray()
            }
            s.discardTransaction(c)
            return
        }
        // Unwatch first: the transaction's own writes must not touch its keys.
        s.unwatchAllKeys(c)
        // The queue stays in place while it runs, so CLIENT LIST still shows it (multi=N).
        let queued = c.tx.queued
        c.array(queued.count)
        // Blocking commands answer at once inside EXEC (Redis's CLIENT_DENY_BLOCKING); clients
        // blocked on keys this transaction fills are served after EXEC as a whole.
        s.inExec = true
        let denied = c.denyBlocking
        c.denyBlocking = true
        s.changes.beginTransaction()
        for q in queued {
            q.withArgs { s.call(q.command, c, $0) }
        }
        s.changes.endTransaction(db: c.db.id)
        // The queued commands went into the change stream one by one; EXEC itself does not.
        c.propagateAs = []
        c.denyBlocking = denied
        s.inExec = false
        s.discardTransaction(c)
    }

    static func watch(_ s: Server, _ c: Client, _ a: Args) {
        if c.tx.inMulti {
            c.error("ERR WATCH inside MULTI is not allowed")
            return
        }
        // Already touched: EXEC will fail whatever else is watched.
        if !c.tx.dirtyCAS {
            for i in 1..<a.count { s.watchKey(c, a[i]) }
            if !s.checkTransactionMemory(c) { return }
        }
        c.ok()
    }

    static func unwatch(_ s: Server, _ c: Client, _ a: Args) {
        s.unwatchAllKeys(c)
        c.tx.dirtyCAS = false
        c.ok()
    }
}

extension Command {
    /// The commands that run at once inside MULTI; every other command is queued.
    var runsInsideMulti: Bool {
        switch fullName {
        case "exec", "discard", "multi", "watch", "quit", "reset": return true
        default: return false
        }
    }
}

extension Server {
    // MARK: - Dispatcher hooks

    /// The flags the dispatcher checks for `cmd` (Redis's getCommandFlags): for EXEC, also
    /// those of the queued commands, so that EXEC of writes waits out CLIENT PAUSE WRITE.
    func commandFlags(_ cmd: Command, _ c: Client) -> CommandFlags {
        if c.tx.inMulti && cmd.fullName == "exec" { return cmd.flags.union(c.tx.queuedFlags) }
        return cmd.flags
    }

    /// Queues a command for EXEC and answers +QUEUED (Redis's queueMultiCommand). A doomed
    /// transaction keeps nothing: EXEC will not run it.
    func queueCommand(_ c: Client, _ cmd: Command, _ args: Args) {
        if !c.tx.doomed {
            let q = QueuedCommand(cmd, args)
            c.tx.queued.append(q)
            c.tx.queuedFlags.formUnion(cmd.flags)
            c.tx.memory += q.footprint
            if !checkTransactionMemory(c) { return }
        }
        c.simple("QUEUED")
    }

    /// A command was refused while the client is in MULTI: EXEC will abort (Redis's
    /// flagTransaction).
    @inline(__always)
    func flagTransaction(_ c: Client) {
        if c.tx.inMulti { c.tx.dirtyExec = true }
    }

    /// Ends the transaction without running it, and drops the client's watches (Redis's
    /// discardTransaction). Also the cleanup for RESET.
    func discardTransaction(_ c: Client) {
        unwatchAllKeys(c)
        c.tx = TransactionState()
    }

    /// EXEC itself was refused (wrong arity, NOAUTH ...): the transaction is discarded and the
    /// reason given under EXECABORT (Redis's execCommandAbort). `error` is the refusal's error
    /// line; its generic "ERR " code is dropped, any other code is kept.
    func abortExec(_ c: Client, _ cmd: Command, _ args: Args, error: [UInt8]) {
        discardTransaction(c)
        let reason = error.starts(with: Array("ERR ".utf8)) ? Array(error.dropFirst(4)) : error
        c.error(bytes: Array("EXECABORT Transaction discarded because of: ".utf8) + reason)
        // Monitors saw MULTI; they are shown the EXEC that ended it.
        if !monitors.isEmpty { feedMonitors(c, args, cmd) }
    }

    /// Redis bounds a transaction only by the memory of the whole server. Redwing counts the
    /// queued arguments and the watched keys against client-query-buffer-limit, and closes a
    /// client past it the way it closes one whose query buffer grows past it. Returns false
    /// when the client was closed.
    func checkTransactionMemory(_ c: Client) -> Bool {
        if Int64(c.tx.memory) <= rw_current_limits.client_max_querybuf_len { return true }
        log.warning("Closing client that reached max transaction size (client-query-buffer-limit): \(c.infoLine(now: now))")
        discardTransaction(c)
        rw_client_close_async(c.raw)
        return false
    }
}

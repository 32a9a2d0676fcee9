import CEventShim

/// Connection commands: PING ECHO QUIT AUTH HELLO and CLIENT (Redis's networking.c).
enum ConnectionCommands {
    static func ping(_ s: Server, _ c: Client, _ a: Args) {
        if a.count > 2 { c.arityError("ping"); return }
        if c.subscriptions != nil && c.resp == 2 {
            // A RESP2 subscriber's connection carries message arrays: PING answers in kind.
            c.array(2)
            c.bulk("pong")
            if a.count == 2 { c.bulk(a[1]) } else { c.bulk("") }
            return
        }
        if a.count == 2 { c.bulk(a[1]) } else { rw_reply_raw(c.raw, "+PONG\r\n", 7) }
    }

    static func echo(_ s: Server, _ c: Client, _ a: Args) { c.bulk(a[1]) }

    static func quit(_ s: Server, _ c: Client, _ a: Args) {
        c.ok()
        c.closeAfterReply()
    }

    static let wrongPass = "WRONGPASS invalid username-password pair or user is disabled."

    /// Checks credentials of the only user, "default". Replies the error when they are wrong.
    static func authenticate(_ s: Server, _ c: Client, user: [UInt8], password: [UInt8]) -> Bool {
        let pass = s.config.requirepass
        let ok = user == Array("default".utf8) && (pass.isEmpty || password == Array(pass.utf8))
        if ok {
            c.authenticated = true
            c.flags &= ~UInt32(RW_UNAUTHENTICATED)
            return true
        }
        c.error(wrongPass)
        return false
    }

    static func auth(_ s: Server, _ c: Client, _ a: Args) {
        if a.count > 3 { c.syntaxError(); return }
        if a.count == 2 && s.config.requirepass.isEmpty {
            c.error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
            return
        }
        let user = a.count == 3 ? a.bytes(1) : Array("default".utf8)
        if authenticate(s, c, user: user, password: a.bytes(a.count - 1)) { c.ok() }
    }

    static func hello(_ s: Server, _ c: Client, _ a: Args) {
        var version: Int64 = Int64(c.resp)
        var next = 1
        if a.count >= 2 {
            guard let v = a.int(1) else {
                c.error("ERR Protocol version is not an integer or out of range")
                return
            }
            if v < 2 || v > 3 {
                c.error("NOPROTO unsupported protocol version")
                return
            }
            version = v
            next = 2
        }
        var authPair: ([UInt8], [UInt8])? = nil
        var setName: [UInt8]? = nil
        var j = next
        while j < a.count {
            let more = a.count - j - 1
            if a.is(j, "AUTH") && more >= 2 {
                authPair = (a.bytes(j + 1), a.bytes(j + 2))
                j += 3
            } else if a.is(j, "SETNAME") && more >= 1 {
                setName = a.bytes(j + 1)
                j += 2
            } else {
                c.error(bytes: Array("ERR Syntax error in HELLO option '".utf8) + a.echo(j, max: Int.max) + [39])
                return
            }
        }
        if let (u, p) = authPair {
            if !authenticate(s, c, user: u, password: p) { return }
        }
        if !c.authenticated && !s.config.requirepass.isEmpty {
            c.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
            return
        }
        if let n = setName, !ConnectionCommands.setName(c, n) { return }
        c.resp = Int32(version)
        c.map(7)
        c.bulk("server"); c.bulk("redis")
        c.bulk("version"); c.bulk(redwingRedisVersion)
        c.bulk("proto"); c.int(version)
        c.bulk("id"); c.int(Int64(c.id))
        c.bulk("mode"); c.bulk("standalone")
        c.bulk("role"); c.bulk("master")
        c.bulk("modules"); c.array(0)
    }

    /// Sets the connection name (an empty name clears it), or replies Redis's error when the
    /// name has characters outside '!'...'~'. Returns whether it was set.
    static func setName(_ c: Client, _ n: [UInt8]) -> Bool {
        guard n.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            c.error("ERR Client names cannot contain spaces, newlines or special characters.")
            return false
        }
        c.name = n.isEmpty ? nil : n
        return true
    }

    /// The client types CLIENT LIST and CLIENT KILL accept.
    static let clientTypes = ["normal", "master", "replica", "slave", "pubsub"]

    // MARK: - CLIENT

    static func clientID(_ s: Server, _ c: Client, _ a: Args) { c.int(Int64(c.id)) }

    static func clientSetname(_ s: Server, _ c: Client, _ a: Args) {
        if setName(c, a.bytes(2)) { c.ok() }
    }

    static func clientGetname(_ s: Server, _ c: Client, _ a: Args) {
        if let n = c.name { c.bulk(n) } else { c.null() }
    }

    static func clientInfo(_ s: Server, _ c: Client, _ a: Args) {
        c.verbatim(c.infoLine(now: rw_now_ms()) + "\n")
    }

    static func clientList(_ s: Server, _ c: Client, _ a: Args) {
        var ids: Set<UInt64>? = nil
        var type: String? = nil
        var j = 2
        while j < a.count {
            if a.is(j, "TYPE") && j + 1 < a.count {
                let t = a.lower(j + 1)
                guard clientTypes.contains(t) else {
                    c.error(bytes: Array("ERR Unknown client type '".utf8) + a.echo(j + 1, max: Int.max) + [39])
                    return
                }
                type = t
                j += 2
            } else if a.is(j, "ID") && j + 1 < a.count {
                var set = Set<UInt64>()
                j += 1
                while j < a.count {
                    guard let v = a.int(j), v > 0 else {
                        c.error("ERR Invalid client ID")
                        return
                    }
                    set.insert(UInt64(v))
                    j += 1
                }
                ids = set
            } else {
                c.syntaxError()
                return
            }
        }
        let now = rw_now_ms()
        var text = ""
        for cl in s.allClients().sorted(by: { $0.id < $1.id }) {
            if let ids = ids, !ids.contains(cl.id) { continue }
            if let type = type, type != cl.typeName { continue }
            text += cl.infoLine(now: now) + "\n"
        }
        c.verbatim(text)
    }

    static func clientKill(_ s: Server, _ c: Client, _ a: Args) {
        if a.count == 3 {
            // Old form: CLIENT KILL addr:port
            let addr = a.string(2)
            guard let victim = s.allClients().first(where: { $0.address == addr }) else {
                c.error("ERR No such client")
                return
            }
            if victim === c {
                c.ok()
                c.closeAfterReply()
            } else {
                rw_client_close_async(victim.raw)
                c.ok()
            }
            return
        }
        var id: UInt64? = nil
        var addr: String? = nil, laddr: String? = nil, type: String? = nil, user: String? = nil
        var skipMe = true
        var j = 2
        while j < a.count {
            guard j + 1 < a.count else { c.syntaxError(); return }
            if a.is(j, "ID") {
                guard let v = a.int(j + 1), v > 0 else {
                    c.error("ERR client-id should be greater than 0")
                    return
                }
                id = UInt64(v)
            } else if a.is(j, "ADDR") {
                addr = a.string(j + 1)
            } else if a.is(j, "LADDR") {
                laddr = a.string(j + 1)
            } else if a.is(j, "TYPE") {
                let t = a.lower(j + 1)
                guard clientTypes.contains(t) else {
                    c.error(bytes: Array("ERR Unknown client type '".utf8) + a.echo(j + 1, max: Int.max) + [39])
                    return
                }
                type = t
            } else if a.is(j, "USER") {
                user = a.string(j + 1)
                if user != "default" {
                    c.error("ERR No such user '\(user!)'")
                    return
                }
            } else if a.is(j, "SKIPME") {
                if a.is(j + 1, "yes") { skipMe = true } else if a.is(j + 1, "no") { skipMe = false } else {
                    c.syntaxError()
                    return
                }
            } else {
                c.syntaxError()
                return
            }
            j += 2
        }
        var killed = 0
        var killedSelf = false
        for cl in s.allClients() {
            if let id = id, cl.id != id { continue }
            if let addr = addr, cl.address != addr { continue }
            if let laddr = laddr, cl.localAddress != laddr { continue }
            if let type = type, type != cl.typeName { continue }
            if skipMe && cl === c { continue }
            if cl === c { killedSelf = true } else { rw_client_close_async(cl.raw) }
            killed += 1
        }
        c.int(killed)
        // Killing ourselves: the reply still goes out first, then the connection closes.
        if killedSelf { c.closeAfterReply() }
    }

    static func clientReply(_ s: Server, _ c: Client, _ a: Args) {
        if a.is(2, "ON") {
            c.flags &= ~UInt32(RW_REPLY_OFF)
            c.skipNext = false
            c.ok()
        } else if a.is(2, "OFF") {
            c.flags |= UInt32(RW_REPLY_OFF)
        } else if a.is(2, "SKIP") {
            if c.flags & UInt32(RW_REPLY_OFF) == 0 { c.skipNext = true }
        } else {
            c.syntaxError()
        }
    }

    static func clientNoEvict(_ s: Server, _ c: Client, _ a: Args) {
        if a.is(2, "ON") { c.noEvict = true; c.ok() }
        else if a.is(2, "OFF") { c.noEvict = false; c.ok() }
        else { c.syntaxError() }
    }

    static func clientPause(_ s: Server, _ c: Client, _ a: Args) {
        guard let ms = a.int(2) else {
            c.error("ERR timeout is not an integer or out of range")
            return
        }
        if ms < 0 { c.error("ERR timeout is negative"); return }
        var writesOnly = false
        if a.count == 4 {
            if a.is(3, "WRITE") { writesOnly = true }
            else if !a.is(3, "ALL") { c.error("ERR CLIENT PAUSE mode must be WRITE or ALL"); return }
        } else if a.count > 4 {
            c.syntaxError()
            return
        }
        let nowMs = rw_now_ms()
        // A huge timeout pauses "forever" rather than overflowing.
        let until = ms > Int64.max - nowMs ? Int64.max : nowMs + ms
        // A longer pause or a stricter one wins, as in Redis.
        if until > s.pauseUntil || (!writesOnly && s.pauseWritesOnly) {
            s.pauseUntil = max(until, s.pauseUntil)
            s.pauseWritesOnly = writesOnly && (s.pauseWritesOnly || s.pauseUntil == until)
        }
        c.ok()
    }

    static func clientUnpause(_ s: Server, _ c: Client, _ a: Args) {
        s.unpause()
        c.ok()
    }

    static func clientHelp(_ s: Server, _ c: Client, _ a: Args) {
        replyHelp(c, "CLIENT", [
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "    * ID <client-id>",
            "      Kill connections by client id.",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
        ])
    }
}

import CEventShim
import Glibc

/// Server administration: CONFIG, SLOWLOG, MONITOR, TIME, DEBUG, SHUTDOWN.
enum AdminCommands {
    // MARK: - CONFIG

    static func configGet(_ s: Server, _ c: Client, _ a: Args) {
        var pairs: [(String, String)] = []
        var seen = Set<String>()
        for i in 2..<a.count {
            let pattern = Array(a.lower(i).utf8)
            let hasGlob = pattern.contains { $0 == 42 || $0 == 63 || $0 == 91 }
            for p in s.config.params {
                for name in [p.name] + p.aliases {
                    let match = hasGlob ? globMatch(pattern, Array(name.utf8), noCase: true) : Array(name.utf8) == pattern
                    if match && !seen.contains(name) {
                        seen.insert(name)
                        // An exact lookup answers with the name as the client typed it.
                        pairs.append((hasGlob ? name : a.string(i), p.value))
                    }
                }
            }
        }
        c.map(pairs.count)
        for (k, v) in pairs {
            c.bulk(k)
            c.bulk(v)
        }
    }

    static func configSet(_ s: Server, _ c: Client, _ a: Args) {
        guard a.count % 2 == 0 else {
            c.syntaxError()
            return
        }
        // Validate everything first so a multi-parameter SET is all or nothing.
        var changes: [(ConfigParam, String)] = []
        for i in stride(from: 2, to: a.count, by: 2) {
            let name = a.string(i)
            guard let p = s.config.param(name) else {
                c.error(bytes: Array("ERR Unknown option or number of arguments for CONFIG SET - '".utf8) +
                        a.echo(i, max: Int.max) + [39])
                return
            }
            if changes.contains(where: { $0.0 === p }) {
                c.error("ERR CONFIG SET failed (possibly related to argument '\(name)') - duplicate parameter")
                return
            }
            if !p.mutable {
                c.error("ERR CONFIG SET failed (possibly related to argument '\(name)') - can't set immutable config")
                return
            }
            // Where snapshots are written is protected in Redis 7.0 (a client able to point
            // them anywhere can overwrite any file the server may write).
            if Config.protectedNames.contains(p.name) && !allowed(s.config["enable-protected-configs"], c) {
                c.error("ERR CONFIG SET failed (possibly related to argument '\(name)') - can't set protected config")
                return
            }
            do {
                changes.append((p, try p.normalise(a.string(i + 1))))
            } catch let e as ConfigError {
                c.error("ERR CONFIG SET failed (possibly related to argument '\(name)') - \(e.message)")
                return
            } catch {
                return
            }
        }
        let old = changes.map { ($0.0, $0.0.value) }
        for (p, v) in changes { p.value = v }
        // Listening addresses are applied as one step; failure restores every value.
        if changes.contains(where: { $0.0.name == "port" || $0.0.name == "bind" }) {
            let oldPort = Int(old.first { $0.0.name == "port" }?.1 ?? s.config["port"]) ?? s.config.port
            let oldBind = old.first { $0.0.name == "bind" }?.1 ?? s.config["bind"]
            if !s.rebind(port: s.config.port, bind: s.config["bind"], oldPort: oldPort, oldBind: oldBind) {
                for (p, v) in old { p.value = v }
                let name = changes.first { $0.0.name == "port" || $0.0.name == "bind" }!.0.name
                c.error("ERR CONFIG SET failed (possibly related to argument '\(name)') - Unable to listen on this port")
                return
            }
        }
        for (p, v) in changes {
            p.didSet?(v)
            s.configChanged(p.name)
        }
        c.ok()
    }

    static func configResetstat(_ s: Server, _ c: Client, _ a: Args) {
        s.stats.reset()
        s.stats.lazyfreedBase = s.lazyFree.freedObjects
        s.stats.netInputBase = s.currentNetInput()
        s.stats.netOutputBase = s.currentNetOutput()
        for cmd in s.commands {
            for x in [cmd] + cmd.subcommands {
                x.calls = 0; x.microseconds = 0; x.rejectedCalls = 0; x.failedCalls = 0
            }
        }
        c.ok()
    }

    static func configRewrite(_ s: Server, _ c: Client, _ a: Args) {
        guard let path = s.config.configFile else {
            c.error("ERR The server is running without a config file")
            return
        }
        do {
            try ConfigRewrite.rewrite(s.config, path: path)
            s.log.notice("CONFIG REWRITE executed with success.")
            c.ok()
        } catch let e as ConfigError {
            s.log.warning("CONFIG REWRITE failed: \(e.message)")
            c.error("ERR Rewriting config file: \(e.message)")
        } catch {}
    }

    static func configHelp(_ s: Server, _ c: Client, _ a: Args) {
        replyHelp(c, "CONFIG", [
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ])
    }

    // MARK: - SLOWLOG

    static func slowlogGet(_ s: Server, _ c: Client, _ a: Args) {
        var count = 10
        if a.count == 3 {
            guard let v = a.int(2), v >= -1 else {
                c.error("ERR count should be greater than or equal to -1")
                return
            }
            count = v == -1 ? Int.max : Int(min(v, Int64(Int32.max)))
        }
        let entries = s.slowlog.entries.prefix(count)
        c.array(entries.count)
        for e in entries {
            c.array(6)
            c.int(e.id)
            c.int(e.time)
            c.int(e.duration)
            c.bulkArray(e.args)
            c.bulk(e.peer)
            c.bulk(e.name)
        }
    }

    static func slowlogLen(_ s: Server, _ c: Client, _ a: Args) { c.int(s.slowlog.entries.count) }

    static func slowlogReset(_ s: Server, _ c: Client, _ a: Args) {
        s.slowlog.entries.removeAll()
        c.ok()
    }

    static func slowlogHelp(_ s: Server, _ c: Client, _ a: Args) {
        replyHelp(c, "SLOWLOG", [
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ])
    }

    // MARK: - MONITOR, TIME

    static func monitor(_ s: Server, _ c: Client, _ a: Args) {
        // Inside EXEC a client expects one reply per command (Redis's CLIENT_DENY_BLOCKING).
        if s.inExec {
            c.error("ERR MONITOR isn't allowed for DENY BLOCKING client")
            return
        }
        if c.isMonitor { return }
        c.isMonitor = true
        s.monitors.append(c)
        c.ok()
    }

    static func time(_ s: Server, _ c: Client, _ a: Args) {
        let us = rw_now_us()
        c.array(2)
        c.bulk(String(us / 1_000_000))
        c.bulk(String(us % 1_000_000))
    }

    // MARK: - DEBUG

    static func debug(_ s: Server, _ c: Client, _ a: Args) {
        if !allowed(s.config["enable-debug-command"], c) {
            c.error("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
            return
        }
        let sub = a.lower(1)
        switch sub {
        case "sleep" where a.count == 3:
            guard let secs = parseDouble(a[2]), secs.isFinite, secs >= 0, secs < 1e9 else { c.notFloat(); return }
            var ts = timespec(tv_sec: Int(secs), tv_nsec: Int((secs - Double(Int(secs))) * 1e9))
            nanosleep(&ts, nil)
            c.ok()
        case "set-active-expire" where a.count == 3:
            s.config.activeExpireEnabled = parseStrictInt64(a[2]) != 0
            c.ok()
        case "reload":
            PersistenceCommands.debugReload(s, c, a)
        case "object" where a.count == 3:
            guard let e = s.lookupWrite(c.db, a[2]) else { c.error("ERR no such key"); return }
            let idle = Int64(LRUClock.now) - Int64(e.lru)
            c.simple("Value at:\(e.raw) refcount:1 encoding:\(e.value.encodingName) serializedlength:\(e.value.isString ? e.value.stringLength : 0) lru:\(e.lru & 0xFF_FFFF) lru_seconds_idle:\(max(idle, 0))")
        case "help":
            replyHelp(c, "DEBUG", [
                "RELOAD [option ...]",
                "    Save the RDB on disk and reload it back to memory. Options: NOSAVE (load",
                "    the existing file without saving first), NOFLUSH (do not empty the",
                "    databases first).",
                "OBJECT <key>",
                "    Show low level info about the <key> and associated value.",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Setting it to 0 disables expiring keys in background when they are not",
                "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
                "    default.",
                "SLEEP <seconds>",
                "    Stop the server for <seconds>. Decimals allowed.",
            ])
        default:
            c.error(bytes: Array("ERR unknown subcommand or wrong number of arguments for '".utf8) +
                    a.echo(1) + Array("'. Try DEBUG HELP.".utf8))
        }
    }

    /// Redis's allowProtectedAction: a yes/no/local setting for a dangerous capability.
    static func allowed(_ mode: String, _ c: Client) -> Bool {
        mode == "yes" || (mode == "local" && isLocal(c))
    }

    static func isLocal(_ c: Client) -> Bool {
        c.isUnixSocket || c.address.hasPrefix("127.") || c.address.hasPrefix("::1:")
    }

    // MARK: - SHUTDOWN

    static func shutdown(_ s: Server, _ c: Client, _ a: Args) {
        var save: Bool? = nil
        var force = false
        for i in 1..<a.count {
            if a.is(i, "NOSAVE") && save != true { save = false }
            else if a.is(i, "SAVE") && save != false { save = true }
            else if a.is(i, "NOW") { }
            else if a.is(i, "FORCE") { force = true }
            else if a.is(i, "ABORT") {
                if a.count != 2 { c.syntaxError(); return }
                c.error("ERR No shutdown in progress.")
                return
            } else {
                c.syntaxError()
                return
            }
        }
        if s.prepareShutdown(save: save, force: force) {
            rw_server_stop(s.loop)
        } else {
            c.error("ERR Errors trying to SHUTDOWN. Check logs.")
        }
    }
}

extension Server {
    /// Reacts to a CONFIG SET of a parameter that needs more than storing its value.
    func configChanged(_ name: String) {
        switch name {
        case "hz":
            rw_set_cron_period(loop, Int32(1000 / config.hz))
        case "appendonly":
            if config.bool("appendonly") { startAppendOnly() } else { stopAppendOnly() }
        default:
            break
        }
    }
}

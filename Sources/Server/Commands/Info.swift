import CEventShim
import Glibc

/// INFO, with Redis 7.0's sections and field names (tools such as redis-cli, redis-sentinel
/// and exporters parse them).
enum InfoCommand {
    static let defaultSections = ["server", "clients", "memory", "persistence", "stats", "replication",
                                  "cpu", "modules", "errorstats", "cluster", "keyspace"]
    static let allSections = defaultSections + ["commandstats", "latencystats"]

    static func info(_ s: Server, _ c: Client, _ a: Args) {
        var wanted: [String] = []
        for i in 1..<max(a.count, 1) { wanted.append(a.lower(i)) }
        var sections: [String]
        if wanted.isEmpty || wanted.contains("default") {
            sections = defaultSections
        } else if wanted.contains("all") || wanted.contains("everything") {
            sections = allSections
        } else {
            sections = []
        }
        for w in wanted where w != "default" && w != "all" && w != "everything" && !sections.contains(w) {
            sections.append(w)
        }
        c.verbatim(render(s, sections))
    }

    static func render(_ s: Server, _ sections: [String]) -> String {
        var out = ""
        for name in sections {
            guard let body = section(s, name) else { continue }
            if !out.isEmpty { out += "\r\n" }
            let title = name == "cpu" ? "CPU" : name.prefix(1).uppercased() + name.dropFirst()
            out += "# \(title)\r\n" + body
        }
        return out
    }

    static func fields(_ pairs: [(String, Any)]) -> String {
        pairs.map { "\($0.0):\($0.1)\r\n" }.joined()
    }

    static func section(_ s: Server, _ name: String) -> String? {
        let now = rw_now_ms()
        switch name {
        case "server":
            var uts = utsname()
            uname(&uts)
            let os = [uts.sysname, uts.release, uts.machine].map { t in
                withUnsafeBytes(of: t) { cString($0) }
            }.joined(separator: " ")
            let uptime = (now - s.startTimeMs) / 1000
            return fields([
                ("redis_version", redwingRedisVersion), ("redis_git_sha1", "00000000"),
                ("redis_git_dirty", 0), ("redis_build_id", "0"), ("redis_mode", "standalone"),
                ("os", os), ("arch_bits", 64), ("monotonic_clock", "POSIX clock_gettime"),
                ("multiplexing_api", "epoll"), ("atomicvar_api", "c11-builtin"),
                ("gcc_version", "0.0.0"), ("process_id", getpid()), ("process_supervised", "no"),
                ("run_id", s.runID), ("tcp_port", s.config.port),
                ("server_time_usec", rw_now_us()), ("uptime_in_seconds", uptime),
                ("uptime_in_days", uptime / 86400), ("hz", s.config.hz),
                ("configured_hz", s.config.hz), ("lru_clock", LRUClock.now & 0xFF_FFFF),
                ("executable", executablePath()), ("config_file", s.config.configFile ?? ""),
                ("io_threads_active", 0), ("redwing_version", redwingVersion),
            ])
        case "clients":
            return fields([
                ("connected_clients", rw_client_count(s.loop)), ("cluster_connections", 0),
                ("maxclients", s.config.maxclients), ("client_recent_max_input_buffer", 0),
                ("client_recent_max_output_buffer", 0), ("blocked_clients", s.blocking.blockedCount),
                ("tracking_clients", 0), ("clients_in_timeout_table", s.blocking.withTimeout),
            ])
        case "memory":
            let m = Memory.sample()
            let maxmem = s.config.int("maxmemory")
            return fields([
                ("used_memory", m.used), ("used_memory_human", Memory.human(m.used)),
                ("used_memory_rss", m.rss), ("used_memory_rss_human", Memory.human(m.rss)),
                ("used_memory_peak", m.peak), ("used_memory_peak_human", Memory.human(m.peak)),
                ("used_memory_peak_perc", String(format2: m.peak > 0 ? Double(m.used) * 100 / Double(m.peak) : 100) + "%"),
                ("used_memory_overhead", m.startup), ("used_memory_startup", m.startup),
                ("used_memory_dataset", max(m.used - m.startup, 0)),
                ("used_memory_dataset_perc", String(format2: m.used > 0 ? Double(max(m.used - m.startup, 0)) * 100 / Double(m.used) : 0) + "%"),
                ("allocator_allocated", m.used), ("allocator_active", m.arena), ("allocator_resident", m.rss),
                ("total_system_memory", m.system), ("total_system_memory_human", Memory.human(m.system)),
                // No scripting engine: these are truly zero.
                ("used_memory_lua", 0), ("used_memory_vm_eval", 0), ("used_memory_lua_human", "0B"),
                ("used_memory_scripts_eval", 0), ("number_of_cached_scripts", 0), ("number_of_functions", 0),
                ("number_of_libraries", 0), ("used_memory_vm_functions", 0), ("used_memory_vm_total", 0),
                ("used_memory_vm_total_human", "0B"), ("used_memory_functions", 0),
                ("used_memory_scripts", 0), ("used_memory_scripts_human", "0B"),
                ("maxmemory", maxmem), ("maxmemory_human", Memory.human(maxmem)),
                ("maxmemory_policy", s.config["maxmemory-policy"]),
                ("allocator_frag_ratio", String(format2: m.used > 0 ? Double(m.arena) / Double(m.used) : 1)),
                ("allocator_frag_bytes", max(m.arena - m.used, 0)),
                ("allocator_rss_ratio", String(format2: m.arena > 0 ? Double(m.rss) / Double(m.arena) : 1)),
                ("allocator_rss_bytes", m.rss - m.arena),
                ("rss_overhead_ratio", "1.00"), ("rss_overhead_bytes", 0),
                ("mem_fragmentation_ratio", String(format2: m.used > 0 ? Double(m.rss) / Double(m.used) : 1)),
                ("mem_fragmentation_bytes", m.rss - m.used),
                ("mem_not_counted_for_evict", 0), ("mem_replication_backlog", 0),
                ("mem_total_replication_buffers", 0), ("mem_clients_slaves", 0),
                ("mem_clients_normal", clientsMemory(s)), ("mem_cluster_links", 0), ("mem_aof_buffer", 0),
                ("mem_allocator", "libc"), ("active_defrag_running", 0),
                ("lazyfree_pending_objects", s.lazyFree.pendingObjects),
                ("lazyfreed_objects", s.lazyFree.freedObjects - s.stats.lazyfreedBase),
            ])
        case "persistence":
            let rdb = s.rdb
            var loading: [(String, Any)] = [("loading", rdb.loading ? 1 : 0), ("async_loading", 0)]
            if rdb.loading {
                let elapsed = max(Int64(time(nil)) - rdb.loadingStartedAt, 0)
                let done = Double(rdb.loadingLoadedBytes), total = Double(max(rdb.loadingTotalBytes, 1))
                let eta = done > 0 ? Int64(Double(elapsed) * (total - done) / done) : 1
                loading += [("loading_start_time", rdb.loadingStartedAt),
                            ("loading_total_bytes", rdb.loadingTotalBytes), ("loading_rdb_used_mem", 0),
                            ("loading_loaded_bytes", rdb.loadingLoadedBytes),
                            ("loading_loaded_perc", String(format2: done * 100 / total)),
                            ("loading_eta_seconds", eta)]
            }
            let running = rdb.job.map { (Int64(time(nil)) - $0.startedMs / 1000) } ?? -1
            return fields(loading + [
                ("current_cow_peak", 0), ("current_cow_size", 0),
                ("current_cow_size_age", 0), ("current_fork_perc", "0.00"),
                ("current_save_keys_processed", 0), ("current_save_keys_total", 0),
                ("rdb_changes_since_last_save", s.dirty), ("rdb_bgsave_in_progress", rdb.job != nil ? 1 : 0),
                ("rdb_last_save_time", rdb.lastSave), ("rdb_last_bgsave_status", rdb.lastBgsaveOK ? "ok" : "err"),
                ("rdb_last_bgsave_time_sec", rdb.lastBgsaveSeconds), ("rdb_current_bgsave_time_sec", running),
                ("rdb_saves", rdb.saves), ("rdb_last_cow_size", 0), ("rdb_last_load_keys_expired", rdb.lastLoad.keysExpired),
                ("rdb_last_load_keys_loaded", rdb.lastLoad.keysLoaded), ("aof_enabled", s.aof != nil ? 1 : 0), ("aof_rewrite_in_progress", s.aofRewrite != nil ? 1 : 0),
                ("aof_rewrite_scheduled", s.aofState.rewriteScheduled ? 1 : 0),
                ("aof_last_rewrite_time_sec", s.aofState.lastRewriteSeconds),
                ("aof_current_rewrite_time_sec", s.aofRewrite.map { (rw_now_ms() - $0.job.startedMs) / 1000 } ?? -1),
                ("aof_last_bgrewrite_status", s.aofState.lastRewriteOK ? "ok" : "err"),
                ("aof_rewrites", s.aofState.rewrites), ("aof_rewrites_consecutive_failures", s.aofState.consecutiveFailures),
                ("aof_last_write_status", s.aof?.lastWriteFailed == true ? "err" : "ok"), ("aof_last_cow_size", 0),
                ("module_fork_in_progress", 0), ("module_fork_last_cow_size", 0),
            ] + (s.aof.map { aof in [
                ("aof_current_size", aof.baseSize + aof.incrementalSize), ("aof_base_size", aof.baseSize),
                ("aof_pending_rewrite", 0), ("aof_buffer_length", s.changes.aofBuffer.count),
                ("aof_pending_bio_fsync", 0), ("aof_delayed_fsync", aof.delayedFsyncs),
            ] as [(String, Any)] } ?? []))
        case "stats":
            let st = s.stats
            return fields([
                ("total_connections_received", st.connectionsReceived),
                ("total_commands_processed", st.commandsProcessed),
                ("instantaneous_ops_per_sec", st.instantaneousOps),
                ("total_net_input_bytes", s.currentNetInput() - st.netInputBase),
                ("total_net_output_bytes", s.currentNetOutput() - st.netOutputBase),
                ("total_net_repl_input_bytes", 0), ("total_net_repl_output_bytes", 0),
                ("instantaneous_input_kbps", String(format2: st.instantaneousInputKbps)),
                ("instantaneous_output_kbps", String(format2: st.instantaneousOutputKbps)),
                ("instantaneous_input_repl_kbps", "0.00"), ("instantaneous_output_repl_kbps", "0.00"),
                ("rejected_connections", st.rejectedConnections), ("sync_full", 0),
                ("sync_partial_ok", 0), ("sync_partial_err", 0), ("expired_keys", st.expiredKeys),
                ("expired_stale_perc", String(format2: st.expiredStalePercent * 100)),
                ("expired_time_cap_reached_count", st.expiredTimeCapReached),
                ("expire_cycle_cpu_milliseconds", st.expireCycleCpuMs), ("evicted_keys", 0),
                ("evicted_clients", 0), ("total_eviction_exceeded_time", 0),
                ("current_eviction_exceeded_time", 0), ("keyspace_hits", st.keyspaceHits),
                ("keyspace_misses", st.keyspaceMisses), ("pubsub_channels", s.pubsub.channels.count),
                ("pubsub_patterns", s.pubsub.patterns.count),
                ("pubsubshard_channels", s.pubsub.shardChannels.count), ("latest_fork_usec", 0), ("total_forks", 0),
                ("migrate_cached_sockets", 0), ("slave_expires_tracked_keys", 0),
                ("active_defrag_hits", 0), ("active_defrag_misses", 0), ("active_defrag_key_hits", 0),
                ("active_defrag_key_misses", 0), ("total_active_defrag_time", 0),
                ("current_active_defrag_time", 0), ("tracking_total_keys", 0),
                ("tracking_total_items", 0), ("tracking_total_prefixes", 0),
                ("unexpected_error_replies", 0), ("total_error_replies", st.errorReplies),
                ("dump_payload_sanitizations", 0), ("total_reads_processed", 0),
                ("total_writes_processed", 0), ("io_threaded_reads_processed", 0),
                ("io_threaded_writes_processed", 0), ("reply_buffer_shrinks", 0),
                ("reply_buffer_expands", 0),
                // Not in 7.0's INFO; later Redis versions report it under this name.
                ("client_output_buffer_limit_disconnections", st.outputLimitDisconnections),
            ])
        case "replication":
            return fields([
                ("role", "master"), ("connected_slaves", 0), ("master_failover_state", "no-failover"),
                ("master_replid", s.runID), ("master_replid2", String(repeating: "0", count: 40)),
                ("master_repl_offset", 0), ("second_repl_offset", -1), ("repl_backlog_active", 0),
                ("repl_backlog_size", s.config.int("repl-backlog-size")),
                ("repl_backlog_first_byte_offset", 0), ("repl_backlog_histlen", 0),
            ])
        case "cpu":
            var self_ = rusage(), children = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &self_)
            getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &children)
            var tu: Int64 = 0, ts: Int64 = 0
            rw_thread_cpu_us(&tu, &ts)
            return fields([
                ("used_cpu_sys", seconds(self_.ru_stime)), ("used_cpu_user", seconds(self_.ru_utime)),
                ("used_cpu_sys_children", seconds(children.ru_stime)),
                ("used_cpu_user_children", seconds(children.ru_utime)),
                ("used_cpu_sys_main_thread", micros(ts)),
                ("used_cpu_user_main_thread", micros(tu)),
            ])
        case "modules":
            return ""
        case "errorstats":
            return s.stats.errorCodes.sorted { $0.key < $1.key }
                .map { "errorstat_\($0.key):count=\($0.value)\r\n" }.joined()
        case "cluster":
            return fields([("cluster_enabled", 0)])
        case "keyspace":
            return s.dbs.filter { $0.count > 0 }
                .map { "db\($0.id):keys=\($0.count),expires=\($0.expiresCount),avg_ttl=\($0.avgTTL)\r\n" }
                .joined()
        case "commandstats":
            var lines = ""
            for cmd in s.commands.sorted(by: { $0.name < $1.name }) {
                for x in [cmd] + cmd.subcommands where x.calls > 0 || x.rejectedCalls > 0 || x.failedCalls > 0 {
                    let per = x.calls > 0 ? Double(x.microseconds) / Double(x.calls) : 0
                    lines += "cmdstat_\(x.fullName):calls=\(x.calls),usec=\(x.microseconds),usec_per_call=\(String(format2: per)),rejected_calls=\(x.rejectedCalls),failed_calls=\(x.failedCalls)\r\n"
                }
            }
            return lines
        case "latencystats":
            return ""
        default:
            return nil
        }
    }

    static func clientsMemory(_ s: Server) -> Int {
        var total = 0
        var p = rw_client_next(s.loop, nil)
        while let c = p {
            total += Int(rw_client_qbuf_cap(c)) + Int(c.pointee.reply_bytes) + 1024
            p = rw_client_next(s.loop, c)
        }
        return total
    }

    static func seconds(_ t: timeval) -> String {
        micros(Int64(t.tv_sec) * 1_000_000 + Int64(t.tv_usec))
    }

    static func micros(_ us: Int64) -> String {
        "\(us / 1_000_000).\(String(format6: us % 1_000_000))"
    }

    static func executablePath() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, 4095)
        return n > 0 ? String(cString: buf) : ""
    }
}

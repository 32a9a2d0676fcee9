import CEventShim
import Dispatch
import Glibc

/// INFO's AOF rewrite fields and the scheduling flag (Redis's server.aof_* state).
final class AOFState {
    var rewriteScheduled = false
    var lastRewriteOK = true
    var lastRewriteSeconds: Int64 = -1
    var rewrites = 0
    var consecutiveFailures = 0
    /// The AOF size after the last rewrite (or at start-up): auto rewrite compares with it.
    var sizeAtLastRewrite = 0
}

/// A BGREWRITEAOF in progress.
///
/// At its start, new writes go to a new incremental file (named in the manifest at once, so a
/// crash meanwhile still loads everything) and a snapshot of the same instant goes, on the
/// writer thread, to the new base. When the base is complete, a manifest naming only the new
/// base and the new incremental file replaces the old one, and the old files are deleted off
/// the main thread. Nothing is lost or doubled: the snapshot holds exactly what the old files
/// held at the switch, the new incremental file exactly what came after.
final class AOFRewrite {
    let job: BackgroundSave
    let seq: Int
    let baseName: String
    let tempName: String

    init(job: BackgroundSave, seq: Int, baseName: String, tempName: String) {
        self.job = job
        self.seq = seq
        self.baseName = baseName
        self.tempName = tempName
    }
}

extension Server {
    /// Starts a rewrite now. Returns false (logged) if the new incremental file or the
    /// manifest could not be written.
    @discardableResult
    func startAOFRewrite() -> Bool {
        let dir = aofDirectory, base = aofBaseName
        if mkdir(dir, 0o755) != 0 && errno != EEXIST {
            log.warning("Can't open or create append-only dir \(dir): \(errnoText())")
            return false
        }
        let lastSeq = aof?.manifest.entries.map { $0.seq }.max() ?? 0
        let seq = lastSeq + 1
        let preamble = config.bool("aof-use-rdb-preamble")
        let baseName = "\(base).\(seq).base.\(preamble ? "rdb" : "aof")"
        if let aof = aof {
            // Everything so far goes to the old incremental file; from here on, the new one.
            flushAppendOnlyFile()
            let incrName = "\(base).\(seq).incr.aof"
            do {
                var m = aof.manifest
                m.entries.append(.init(name: incrName, seq: seq, type: "i"))
                try aof.switchIncremental(to: incrName)
                try writeManifest(m)
                aof.adoptManifest(m)
            } catch {
                log.warning("Can't rewrite append only file in background: \(error)")
                aofState.lastRewriteOK = false
                return false
            }
        }
        let tempName = "temp-rewriteaof-bg-\(getpid()).aof"
        let settings = BackgroundSave.Settings(
            directory: dir, fileName: tempName, compress: config.bool("rdbcompression"),
            checksum: config.bool("rdbchecksum"), usedMemory: Memory.allocated().used,
            keyDelayMicros: Int(config.int("rdb-key-save-delay")), aofBase: true,
            tempName: "temp-" + tempName, resp: !preamble)
        aofRewrite = AOFRewrite(job: BackgroundSave(server: self, settings: settings), seq: seq,
                                baseName: baseName, tempName: tempName)
        log.notice("Background append only file rewriting started")
        advanceBackgroundJobs()
        return true
    }

    /// The end of a rewrite: the new base in place, the manifest switched, old files deleted.
    func finishAOFRewrite(_ rw: AOFRewrite, _ outcome: Result<Int, PersistenceError>) {
        aofState.lastRewriteSeconds = (rw_now_ms() - rw.job.startedMs) / 1000
        let dir = aofDirectory
        do {
            let baseSize = try outcome.get()
            if rename(AppendOnlyFile.path(dir, rw.tempName), AppendOnlyFile.path(dir, rw.baseName)) != 0 {
                throw PersistenceError(description: "Error trying to rename the temporary AOF base file \(rw.tempName) into \(rw.baseName): \(errnoText())")
            }
            var m = AOFManifest()
            m.entries.append(.init(name: rw.baseName, seq: rw.seq, type: "b"))
            let old = aof?.manifest.entries ?? []
            if let incr = old.last(where: { $0.type == "i" && $0.seq == rw.seq }) { m.entries.append(incr) }
            try writeManifest(m)
            aof?.adoptManifest(m, baseSize: baseSize)
            // The old base and incremental files are history now: deleted off the main thread.
            let stale = old.filter { e in !m.entries.contains(e) }.map { AppendOnlyFile.path(dir, $0.name) }
            DispatchQueue.global(qos: .utility).async { for p in stale { unlink(p) } }
            aofState.lastRewriteOK = true
            aofState.consecutiveFailures = 0
            aofState.rewrites += 1
            aofState.sizeAtLastRewrite = baseSize + (aof?.incrementalSize ?? 0)
            log.notice("Background AOF rewrite terminated with success")
            log.notice("Background AOF rewrite finished successfully")
        } catch {
            unlink(AppendOnlyFile.path(dir, rw.tempName))
            aofState.lastRewriteOK = false
            aofState.consecutiveFailures += 1
            log.warning("Background AOF rewrite failed: \(error)")
        }
    }

    /// The cron's part: a scheduled rewrite once no save runs; auto rewrite on growth.
    func aofCron() {
        guard rdb.job == nil, aofRewrite == nil else { return }
        if aofState.rewriteScheduled {
            aofState.rewriteScheduled = false
            startAOFRewrite()
            return
        }
        guard let aof = aof else { return }
        let pct = Int(config.int("auto-aof-rewrite-percentage"))
        let size = aof.baseSize + aof.incrementalSize
        let base = max(aofState.sizeAtLastRewrite, 1)
        if pct > 0 && size > Int(config.int("auto-aof-rewrite-min-size")) && (size - base) * 100 / base >= pct {
            log.notice("Starting automatic rewriting of AOF on \((size - base) * 100 / base)% growth")
            startAOFRewrite()
        }
    }
}

extension Server {
    /// CONFIG SET appendonly yes: appending starts at once into a new incremental file, and a
    /// rewrite writes the base from a snapshot of this instant (Redis's startAppendOnly).
    /// Files of an earlier AOF in the directory are left out of the new manifest and deleted
    /// once the rewrite ends.
    func startAppendOnly() {
        guard aof == nil else { return }
        let dir = aofDirectory
        if mkdir(dir, 0o755) != 0 && errno != EEXIST {
            log.warning("Can't open or create append-only dir \(dir): \(errnoText())")
            return
        }
        // An empty file stands in as the current incremental until the rewrite opens its own.
        let placeholder = "\(aofBaseName).0.incr.aof"
        let fd = open(AppendOnlyFile.path(dir, placeholder), O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            log.warning("Redis needs to enable the AOF but can't open the append only file: \(errnoText())")
            return
        }
        var previous = AOFManifest()
        if let f = MappedFile(path: AppendOnlyFile.path(dir, aofBaseName + ".manifest")),
           case .success(let m) = AOFManifest.parse(String(decoding: f.bytes, as: UTF8.self)) {
            previous = m
        }
        // Sequence numbers go on from the old files', so no name is reused.
        let floor = previous.entries.map { $0.seq }.max() ?? 0
        var m = AOFManifest()
        m.entries = [.init(name: placeholder, seq: floor, type: "h")]
        aof = AppendOnlyFile(directory: dir, baseName: aofBaseName, manifest: m, fd: fd,
                             incrementalSize: 0, baseSize: 0)
        changes.enabled = true
        changes.selectedDB = -1
        if rdb.job != nil {
            aofState.rewriteScheduled = true
        } else if !startAOFRewrite() {
            stopAppendOnly()
            return
        }
        let stale = previous.entries.map { AppendOnlyFile.path(dir, $0.name) }
        DispatchQueue.global(qos: .utility).async { for p in stale { unlink(p) } }
    }

    /// CONFIG SET appendonly no: the buffer is written and synced, the file closed.
    func stopAppendOnly() {
        guard let a = aof else { return }
        if let rw = aofRewrite {
            rw.job.cancel()
            rw.job.wait()
            aofRewrite = nil
        }
        flushAppendOnlyFile(force: true)
        a.finalFsync()
        aof = nil
        changes.enabled = false
        changes.aofBuffer = []
    }
}

enum AOFCommands {
    static func bgrewriteaof(_ s: Server, _ c: Client, _ a: Args) {
        if s.aofRewrite != nil {
            c.error("ERR Background append only file rewriting already in progress")
        } else if s.rdb.job != nil || s.inExec {
            s.aofState.rewriteScheduled = true
            c.simple("Background append only file rewriting scheduled")
        } else if s.startAOFRewrite() {
            c.simple("Background append only file rewriting started")
        } else {
            c.error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
        }
    }
}

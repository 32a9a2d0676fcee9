import CEventShim
import Glibc

/// The server's RDB state (Redis's server.lastsave, lastbgsave_status, rdb_child_* ...).
final class RDBState {
    /// Unix seconds of the last successful save (start-up counts, as in Redis).
    var lastSave = Int64(time(nil))
    var lastBgsaveOK = true
    /// When the last BGSAVE was attempted (a failed one is retried after `retryDelay`).
    var lastBgsaveTry: Int64 = 0
    var lastBgsaveSeconds: Int64 = -1
    var job: BackgroundSave? = nil
    /// BGSAVE SCHEDULE asked while another save was running.
    var scheduled = false
    var saves = 0
    var lastLoad = RDBLoadStats()
    /// Set while the dataset is loading (commands without the `loading` flag get -LOADING).
    var loading = false
    var loadingStartedAt: Int64 = 0
    var loadingTotalBytes = 0
    var loadingLoadedBytes = 0

    static let retryDelay: Int64 = 5
}

extension Server {
    // MARK: - Saving

    /// Redis's writeCommandsDeniedByDiskError for RDB: the last background save failed and
    /// the configuration says to stop accepting writes until one succeeds.
    var writesDeniedByDiskError: Bool {
        (!rdb.lastBgsaveOK && config.bool("stop-writes-on-bgsave-error") && !config.savePoints.isEmpty)
            || aof?.lastWriteFailed == true
    }

    /// The -MISCONF text for the current disk error.
    var diskErrorMessage: String {
        if let a = aof, a.lastWriteFailed { return "MISCONF Errors writing to the AOF file: \(a.lastWriteError)" }
        return Server.misconfError
    }

    static let misconfError = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."

    /// SAVE: writes the whole dataset from the main thread (nothing changes meanwhile).
    @discardableResult
    func saveNow() -> Bool {
        do {
            let file = try AtomicFile(directory: config["dir"], finalName: config["dbfilename"],
                                      tempName: "temp-\(getpid()).rdb")
            try writeDataset(to: file, aofBase: false)
        } catch {
            log.warning("\(error)")
            log.warning("Failed saving the DB: \(error)")
            return false
        }
        log.notice("DB saved on disk")
        dirty = 0
        rdb.lastSave = Int64(time(nil))
        rdb.lastBgsaveOK = true
        rdb.saves += 1
        return true
    }

    /// The whole dataset as an RDB file, from the main thread (nothing changes meanwhile):
    /// SAVE, and the base of a new AOF.
    func writeDataset(to file: AtomicFile, aofBase: Bool) throws {
        var w = RDBWriter(compress: config.bool("rdbcompression"), checksum: config.bool("rdbchecksum"),
                          sink: file.write)
        w.header(usedMemory: Memory.allocated().used, aofBase: aofBase)
        for db in dbs where db.count > 0 {
            try w.selectDB(db.id, keys: db.count, expires: db.expiresCount)
            try db.dict.forEachFrozen { e in try w.entry(key: e.key, value: e.value, expireAt: e.expireAt) }
        }
        try w.finish()
        try file.commit()
    }

    /// BGSAVE: starts a snapshot and its writer thread. Failures (the temp file cannot be
    /// created, a write fails) come back through the job's outcome, as a child's exit status
    /// does in Redis.
    @discardableResult
    func startBackgroundSave() -> Bool {
        rdb.lastBgsaveTry = Int64(time(nil))
        let settings = BackgroundSave.Settings(
            directory: config["dir"], fileName: config["dbfilename"],
            compress: config.bool("rdbcompression"), checksum: config.bool("rdbchecksum"),
            usedMemory: Memory.allocated().used,
            keyDelayMicros: Int(config.int("rdb-key-save-delay")))
        rdb.job = BackgroundSave(server: self, settings: settings)
        rdb.saves += 1  // counted at the start, as Redis counts at fork
        log.notice("Background saving started")
        advanceBackgroundJobs()
        return true
    }

    /// One slice of the running snapshot's capture, and the end of the save when its writer
    /// has finished. Runs before every sleep of the loop while a save is in progress.
    func advanceBackgroundJobs() {
        if let job = rdb.job, let outcome = drive(job) {
            rdb.job = nil
            finishBackgroundSave(job, outcome)
        }
        if let rewrite = aofRewrite, let outcome = drive(rewrite.job) {
            aofRewrite = nil
            finishAOFRewrite(rewrite, outcome)
        }
    }

    /// One capture slice of `job`; its outcome once its writer has finished.
    private func drive(_ job: BackgroundSave) -> Result<Int, PersistenceError>? {
        let outcome = job.outcome
        if job.snapshot.capturing {
            if outcome != nil {
                // The writer gave up (a file error): stop capturing for it.
                job.snapshot.cancel()
            } else {
                if job.snapshot.step() && job.snapshot.hasRoom {
                    // More to capture and room for it: come back without sleeping.
                    rw_wake(loop)
                }
                return nil
            }
        }
        guard let outcome = outcome else { return nil }
        // The writer's buffers came from its own malloc arena: give the pages back.
        rw_malloc_trim()
        return outcome
    }

    private func finishBackgroundSave(_ job: BackgroundSave, _ outcome: Result<Int, PersistenceError>) {
        rdb.lastBgsaveSeconds = (rw_now_ms() - job.startedMs) / 1000
        switch outcome {
        case .success:
            log.notice("Background saving terminated with success")
            dirty -= job.dirtyAtStart
            rdb.lastSave = job.startedMs / 1000
            rdb.lastBgsaveOK = true
        case .failure(let e):
            log.warning("Background saving error: \(e)")
            rdb.lastBgsaveOK = false
        }
    }

    /// Cancels a running save (SHUTDOWN, FLUSHALL), waiting for the writer to let go.
    func cancelBackgroundSave() {
        guard let job = rdb.job else { return }
        log.warning("There is a background save in progress. Cancelling it!")
        job.cancel()
        job.wait()
        rdb.job = nil
    }

    /// The cron's part: save points, and a scheduled BGSAVE once nothing else runs.
    func rdbCron() {
        guard rdb.job == nil, aofRewrite == nil else { return }
        let now = Int64(time(nil))
        let retryOK = now - rdb.lastBgsaveTry > RDBState.retryDelay || rdb.lastBgsaveOK
        if rdb.scheduled && retryOK {
            rdb.scheduled = false
            startBackgroundSave()
            return
        }
        for (seconds, changes) in config.savePoints {
            if dirty >= changes && now - rdb.lastSave > seconds && retryOK {
                log.notice("\(changes) changes in \(seconds) seconds. Saving...")
                startBackgroundSave()
                return
            }
        }
    }

    // MARK: - Loading

    /// Loads `dir/dbfilename` at start-up if it exists. Returns false (after logging why) if
    /// the file exists but cannot be loaded: the server must not start with a partial dataset.
    func loadAtStartup() -> Bool {
        let path = config["dbfilename"]
        guard let file = MappedFile(path: path) else {
            if errno == ENOENT { return true }
            log.warning("Fatal error loading the DB: \(errnoText()). Exiting.")
            return false
        }
        let start = rw_now_us()
        do {
            let stats = try loadRDB(file.bytes, serveClients: true)
            let secs = Double(rw_now_us() - start) / 1e6
            log.notice("DB loaded from disk: \(String(secs)) seconds")
            if stats.keysExpired > 0 || stats.emptyKeysSkipped > 0 {
                log.notice("Done loading RDB, keys loaded: \(stats.keysLoaded), keys expired: \(stats.keysExpired), empty keys skipped: \(stats.emptyKeysSkipped).")
            }
            return true
        } catch {
            log.warning("Fatal error loading the DB \(path): \(error). Exiting.")
            return false
        }
    }

    /// Loads RDB bytes into the (empty) databases, serving clients with -LOADING meanwhile
    /// once the loop exists. Clears the databases again if the load fails.
    @discardableResult
    func loadRDB(_ bytes: UnsafeRawBufferPointer, serveClients: Bool = false,
                 skipExpired: Bool = true) throws -> RDBLoadStats {
        // Nested in an AOF load (the base), the outer load's state is put back after.
        let wasLoading = rdb.loading
        rdb.loading = true
        rdb.loadingStartedAt = Int64(time(nil))
        rdb.loadingTotalBytes = bytes.count
        rdb.loadingLoadedBytes = 0
        defer { rdb.loading = wasLoading }
        for db in dbs { db.listener = nil }
        defer { for db in dbs { db.listener = self } }
        // Only at start-up: inside a command (DEBUG RELOAD) the loop must not run re-entrantly.
        let loop = serveClients ? self.loop : nil
        var loader = RDBLoader(bytes, dbs: dbs, now: rw_now_ms()) { [unowned self] offset in
            rdb.loadingLoadedBytes = offset
            if let l = loop { rw_process_events_nonblocking(l) }
        }
        loader.verifyChecksum = config.bool("rdbchecksum")
        loader.skipExpired = skipExpired
        loader.keyDelayMicros = max(Int(config.int("key-load-delay")), 0)
        do {
            let stats = try loader.load()
            rdb.lastLoad = stats
            if let ver = stats.aux["redis-ver"] {
                log.notice("Loading RDB produced by version \(String(decoding: ver, as: UTF8.self))")
            }
            return stats
        } catch {
            for db in dbs { db.takeAll().removeAll() }
            throw error
        }
    }
}

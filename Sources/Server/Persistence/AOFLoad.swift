import CEventShim
import Glibc

/// Opening the AOF at start-up: loading the directory the manifest describes, or creating a
/// fresh one (an RDB base of the current dataset, an empty incremental file, the manifest),
/// as Redis 7.0 does on its first start with `appendonly yes`.
extension Server {
    var aofDirectory: String { config["appenddirname"] }
    var aofBaseName: String { config["appendfilename"] }

    /// Loads or creates the AOF and starts appending. Returns false (logged) when start-up
    /// must stop: a corrupt file, an unreadable directory.
    func openAppendOnlyAtStartup() -> Bool {
        let dir = aofDirectory, base = aofBaseName
        if mkdir(dir, 0o755) != 0 && errno != EEXIST {
            log.warning("Can't open or create append-only dir \(dir): \(errnoText())")
            return false
        }
        let manifestPath = AppendOnlyFile.path(dir, base + ".manifest")
        do {
            if let text = readWholeFile(manifestPath) {
                let manifest = try AOFManifest.parse(text).get()
                try loadAppendOnlyFiles(manifest)
                guard let last = manifest.incrementals.last else {
                    throw PersistenceError(description: "The AOF manifest names no incremental file")
                }
                let path = AppendOnlyFile.path(dir, last.name)
                let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
                if fd < 0 { throw PersistenceError(description: "Can't open the append-only file \(last.name): \(errnoText())") }
                aof = AppendOnlyFile(directory: dir, baseName: base, manifest: manifest, fd: fd,
                                     incrementalSize: fileSize(path), baseSize: manifest.base.map { fileSize(AppendOnlyFile.path(dir, $0.name)) } ?? 0)
            } else {
                if access(base, F_OK) == 0 {
                    aof = try upgradeLegacyAOF(base)
                } else {
                    aof = try createAppendOnlyFiles(seq: 1)
                }
            }
        } catch {
            log.warning("\(error)")
            return false
        }
        changes.enabled = true
        changes.selectedDB = -1
        if let a = aof { aofState.sizeAtLastRewrite = a.baseSize + a.incrementalSize }
        return true
    }

    /// A new base (the dataset now, as an RDB) and an empty incremental file, then the
    /// manifest naming them, replaced atomically.
    private func createAppendOnlyFiles(seq: Int) throws -> AppendOnlyFile {
        let dir = aofDirectory, base = aofBaseName
        let baseName = "\(base).\(seq).base.rdb", incrName = "\(base).\(seq).incr.aof"
        log.notice("Creating AOF base file \(baseName) on server start")
        let file = try AtomicFile(directory: dir, finalName: baseName, tempName: "temp-\(baseName)")
        try writeDataset(to: file, aofBase: true)
        log.notice("Creating AOF incr file \(incrName) on server start")
        let incrPath = AppendOnlyFile.path(dir, incrName)
        let fd = open(incrPath, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw PersistenceError(description: "Can't open the append-only file \(incrName): \(errnoText())") }
        var manifest = AOFManifest()
        manifest.entries = [.init(name: baseName, seq: seq, type: "b"), .init(name: incrName, seq: seq, type: "i")]
        try writeManifest(manifest)
        return AppendOnlyFile(directory: dir, baseName: base, manifest: manifest, fd: fd,
                              incrementalSize: 0, baseSize: file.written)
    }

    /// Replaces the manifest atomically (temp file, fsync, rename, directory fsync).
    func writeManifest(_ m: AOFManifest) throws {
        let name = aofBaseName + ".manifest"
        let file = try AtomicFile(directory: aofDirectory, finalName: name, tempName: "temp-" + name)
        try file.write(Array(m.text.utf8))
        try file.commit()
    }

    // MARK: - Loading

    private func loadAppendOnlyFiles(_ m: AOFManifest) throws {
        let dir = aofDirectory
        let start = rw_now_us()
        rdb.loading = true
        defer { rdb.loading = false }
        if let b = m.base {
            let path = AppendOnlyFile.path(dir, b.name)
            guard let file = MappedFile(path: path) else {
                throw PersistenceError(description: "The AOF base file \(b.name) can't be opened: \(errnoText())")
            }
            try loadBase(file.bytes, name: b.name, last: m.incrementals.isEmpty)
        }
        let incrs = m.incrementals
        for (i, f) in incrs.enumerated() {
            let path = AppendOnlyFile.path(dir, f.name)
            guard let file = MappedFile(path: path) else {
                throw PersistenceError(description: "The AOF file \(f.name) can't be opened: \(errnoText())")
            }
            try replayCommands(file.bytes, name: f.name, last: i == incrs.count - 1)
        }
        log.notice("DB loaded from append only file: \(String(Double(rw_now_us() - start) / 1e6)) seconds")
    }

    /// A base file, or a legacy single-file AOF: an optional RDB preamble, then RESP commands.
    private func loadBase(_ bytes: UnsafeRawBufferPointer, name: String, last: Bool) throws {
        var rest = bytes
        if bytes.starts(with: Array("REDIS".utf8)) {
            do {
                let stats = try loadRDB(bytes, serveClients: true, skipExpired: false)
                rest = UnsafeRawBufferPointer(rebasing: bytes[stats.endOffset...])
            } catch {
                throw PersistenceError(description: "Bad file format reading the append only file \(name): \(error)")
            }
        }
        if !rest.isEmpty { try replayCommands(rest, name: name, last: last) }
    }

    /// A single `appendonly.aof` in `dir` (Redis before 7.0): loaded, then moved into the
    /// AOF directory as its base, with a new incremental file and a manifest (Redis's upgrade).
    private func upgradeLegacyAOF(_ legacy: String) throws -> AppendOnlyFile {
        let dir = aofDirectory
        guard let file = MappedFile(path: legacy) else {
            throw PersistenceError(description: "Can't open the append-only file \(legacy): \(errnoText())")
        }
        rdb.loading = true
        defer { rdb.loading = false }
        try loadBase(file.bytes, name: legacy, last: true)
        if rename(legacy, AppendOnlyFile.path(dir, legacy)) != 0 {
            throw PersistenceError(description: "Error moving \(legacy) into \(dir): \(errnoText())")
        }
        let incrName = "\(aofBaseName).1.incr.aof"
        let incrPath = AppendOnlyFile.path(dir, incrName)
        let fd = open(incrPath, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw PersistenceError(description: "Can't open the append-only file \(incrName): \(errnoText())") }
        var m = AOFManifest()
        m.entries = [.init(name: legacy, seq: 1, type: "b"), .init(name: incrName, seq: 1, type: "i")]
        try writeManifest(m)
        log.notice("Successfully migrated an old-style AOF file (\(legacy)) into the AOF directory (\(dir)).")
        return AppendOnlyFile(directory: dir, baseName: aofBaseName, manifest: m, fd: fd,
                              incrementalSize: 0, baseSize: fileSize(AppendOnlyFile.path(dir, legacy)))
    }

    /// Runs the RESP commands of one file through a client without a connection. A command
    /// cut off at the end of the last file is dropped (and the file trimmed) when
    /// `aof-load-truncated` allows; anything else malformed stops the load, naming the file
    /// and the offset.
    private func replayCommands(_ bytes: UnsafeRawBufferPointer, name: String, last: Bool) throws {
        guard let raw = rw_client_new_fake(loop) else { throw PersistenceError(description: "Out of memory") }
        let client = Client(raw: raw, server: self, fake: true)
        defer { rw_client_free_fake(raw) }
        var offset = 0, commands = 0
        // Where the transaction being read began: a file ending inside it is cut back there.
        var multiStart = -1
        let chunk = 1 << 20
        while offset < bytes.count || rw_client_unconsumed(raw) > 0 {
            if offset < bytes.count {
                let n = min(chunk, bytes.count - offset)
                if rw_client_feed(raw, bytes.baseAddress! + offset, n) != 0 {
                    throw PersistenceError(description: "Out of memory reading \(name)")
                }
                offset += n
            }
            while true {
                let r = rw_next_command(raw)
                if r == 0 { break }
                if r < 0 {
                    let at = offset - Int(rw_client_unconsumed(raw))
                    throw PersistenceError(description: "Bad file format reading the append only file \(name) at offset \(at): \(String(cString: raw.pointee.err))")
                }
                // The scanner stands after the command it returned: where that command began.
                let at = offset - Int(rw_client_unconsumed(raw)) - Int(raw.pointee.qb_pos - raw.pointee.last_start)
                // An AOF holds RESP arrays only: an inline command means a damaged file.
                if raw.pointee.qbuf[Int(raw.pointee.last_start)] != UInt8(ascii: "*") {
                    throw PersistenceError(description: "Bad file format reading the append only file \(name) at offset \(at): not a RESP array")
                }
                let args = Args(argv: raw.pointee.argv, count: Int(raw.pointee.argc))
                if !client.tx.inMulti && args.count == 1 && args.is(0, "MULTI") {
                    multiStart = at
                }
                if lookup.find(args[0]) == nil {
                    throw PersistenceError(description: "Unknown command '\(args.string(0))' reading the append only file \(name) at offset \(at)")
                }
                _ = execute(client, args)
                commands += 1
                if commands % 1024 == 0 { rw_process_events_nonblocking(loop) }
            }
            if offset >= bytes.count { break }
        }
        var leftover = Int(rw_client_unconsumed(raw))
        if client.tx.inMulti {
            // A transaction without its EXEC: none of it happened (Redis reverts it too).
            discardTransaction(client)
            leftover = bytes.count - multiStart
            log.warning("Revert incomplete MULTI/EXEC transaction in AOF file \(name)")
        }
        if leftover > 0 {
            let validEnd = bytes.count - leftover
            guard last && config.bool("aof-load-truncated") else {
                throw PersistenceError(description: "Unexpected end of file reading the append only file \(name) at offset \(validEnd). You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.")
            }
            log.warning("!!! Warning: short read while loading the AOF file \(name)!!!")
            log.warning("!!! Truncating the AOF \(name) at offset \(validEnd) !!!")
            if truncate(AppendOnlyFile.path(aofDirectory, name), off_t(validEnd)) != 0 {
                throw PersistenceError(description: "Error truncating the AOF file \(name): \(errnoText())")
            }
            log.warning("AOF \(name) loaded anyway because aof-load-truncated is enabled")
        }
    }

    private func readWholeFile(_ path: String) -> String? {
        guard let f = MappedFile(path: path) else { return nil }
        return String(decoding: f.bytes, as: UTF8.self)
    }

    private func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    // MARK: - Writing

    /// Before the loop sleeps (and so before replies go out): the stream's buffer to the file.
    func flushAppendOnlyFile(force: Bool = false) {
        guard let aof = aof, !changes.aofBuffer.isEmpty else { return }
        let policy = config["appendfsync"]
        // no-appendfsync-on-rewrite: while a snapshot writes, the kernel decides when to sync.
        let skip = config.bool("no-appendfsync-on-rewrite") && (rdb.job != nil || aofRewrite != nil)
        if aof.write(&changes.aofBuffer, policy: policy, now: rw_now_ms(), skipFsync: skip, force: force) { return }
        log.warning("Error writing to the AOF file: \(aof.lastWriteError)")
        if policy == "always" {
            // The replies of these commands are about to go out: they must not, since what
            // they acknowledge is not on disk. As Redis does, stop here.
            log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")
            exit(1)
        }
        // Otherwise the buffer is kept and retried (cron and every loop iteration); writes are
        // refused with -MISCONF meanwhile (Server.writesDeniedByDiskError).
    }
}

import CEventShim
import Glibc

/// SAVE, BGSAVE, LASTSAVE and DEBUG RELOAD (the engine is in Persistence/).
enum PersistenceCommands {
    static func save(_ s: Server, _ c: Client, _ a: Args) {
        if s.rdb.job != nil {
            c.error("ERR Background save already in progress")
            return
        }
        if s.saveNow() { c.ok() } else { c.error("ERR") }
    }

    static func bgsave(_ s: Server, _ c: Client, _ a: Args) {
        var schedule = false
        if a.count > 1 {
            guard a.count == 2, a.is(1, "SCHEDULE") else { c.syntaxError(); return }
            schedule = true
        }
        if s.rdb.job != nil {
            c.error("ERR Background save already in progress")
            return
        }
        // As Redis: inside EXEC, and while an AOF rewrite runs when SCHEDULE is given, the
        // save waits for the cron.
        if s.inExec || (s.aofRewrite != nil && schedule) {
            s.rdb.scheduled = true
            c.simple("Background saving scheduled")
            return
        }
        if s.aofRewrite != nil {
            c.error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
            return
        }
        if s.startBackgroundSave() {
            c.simple("Background saving started")
        } else {
            c.error("ERR")
        }
    }

    static func lastsave(_ s: Server, _ c: Client, _ a: Args) {
        c.int(Int(s.rdb.lastSave))
    }

    /// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the databases, load the file back.
    static func debugReload(_ s: Server, _ c: Client, _ a: Args) {
        var flush = true, save = true, merge = false
        for i in 2..<a.count {
            if a.is(i, "MERGE") { merge = true }
            else if a.is(i, "NOFLUSH") { flush = false }
            else if a.is(i, "NOSAVE") { save = false }
            else { c.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."); return }
        }
        if merge {
            c.error("ERR DEBUG RELOAD MERGE is not supported by Redwing")
            return
        }
        if save {
            s.cancelBackgroundSave()
            if !s.saveNow() { c.error("ERR Error trying to save the DB"); return }
        }
        if flush {
            for db in s.dbs { db.takeAll().removeAll() }
        }
        guard let file = MappedFile(path: s.config["dbfilename"]) else {
            c.error("ERR Error trying to load the RDB dump, check server logs.")
            return
        }
        do {
            try s.loadRDB(file.bytes)
        } catch {
            s.log.warning("Error loading the RDB dump: \(error)")
            c.error("ERR Error trying to load the RDB dump, check server logs.")
            return
        }
        s.log.notice("DB reloaded by DEBUG RELOAD")
        c.ok()
    }
}

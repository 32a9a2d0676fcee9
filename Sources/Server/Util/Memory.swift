import CEventShim
import Glibc

/// Memory figures from the allocator and the kernel.
enum Memory {
    struct Sample {
        var used: Int
        var arena: Int
        var rss: Int
        var peak: Int
        var startup: Int
        var system: Int
    }
    nonisolated(unsafe) static var peak = 0
    nonisolated(unsafe) static var startup = 0

    static func allocated() -> (used: Int, arena: Int) {
        var used = 0, held = 0
        rw_malloc_stats(&used, &held)
        return (used, held)
    }

    /// Resident set size from /proc/self/statm (second field, in pages).
    static func rss() -> Int {
        guard let text = try? ConfigFile.read("/proc/self/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func sample() -> Sample {
        let (used, arena) = allocated()
        peak = max(peak, used)
        let system = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
        return Sample(used: used, arena: arena, rss: rss(), peak: peak, startup: startup, system: system)
    }

    /// Like Redis's bytesToHuman: "1.50M".
    static func human(_ n: Int) -> String {
        let d = Double(n)
        if n < 1024 { return "\(n)B" }
        if n < 1 << 20 { return String(format2: d / 1024) + "K" }
        if n < 1 << 30 { return String(format2: d / 1048576) + "M" }
        if n < 1 << 40 { return String(format2: d / 1073741824) + "G" }
        return String(format2: d / 1099511627776) + "T"
    }

    static func human(_ n: Int64) -> String { human(Int(n)) }
}

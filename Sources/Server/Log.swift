import CEventShim
import Glibc

/// Logging in Redis's format: `pid:M dd Mon yyyy hh:mm:ss.mmm * message`, where the
/// character before the message is the level (. debug, - verbose, * notice, # warning).
final class Logger {
    enum Level: Int { case debug = 0, verbose, notice, warning }
    private unowned(unsafe) let config: Config
    private let pid = getpid()

    init(config: Config) { self.config = config }

    var level: Level {
        switch config["loglevel"] {
        case "debug": return .debug
        case "verbose": return .verbose
        case "warning": return .warning
        default: return .notice
        }
    }

    func debug(_ m: @autoclosure () -> String) { write(.debug, m) }
    func verbose(_ m: @autoclosure () -> String) { write(.verbose, m) }
    func notice(_ m: @autoclosure () -> String) { write(.notice, m) }
    func warning(_ m: @autoclosure () -> String) { write(.warning, m) }

    private func write(_ l: Level, _ message: () -> String) {
        guard l.rawValue >= level.rawValue else { return }
        let marks: [Character] = [".", "-", "*", "#"]
        let line = "\(pid):M \(Logger.timestamp()) \(marks[l.rawValue]) \(message())\n"
        let path = config["logfile"]
        if path.isEmpty {
            fputs(line, stdout)
            fflush(stdout)
        } else if let f = fopen(path, "a") {
            fputs(line, f)
            fclose(f)
        }
    }

    /// "22 Nov 2026 10:11:12.345"
    static func timestamp() -> String {
        let ms = rw_now_ms()
        var t = time_t(ms / 1000)
        var tmv = tm()
        localtime_r(&t, &tmv)
        var buf = [CChar](repeating: 0, count: 64)
        strftime(&buf, 64, "%d %b %Y %H:%M:%S", &tmv)
        let millis = ms % 1000
        let m = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return String(cString: buf) + "." + m
    }
}

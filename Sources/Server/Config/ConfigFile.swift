import CEventShim
import Glibc

/// Reading `redis.conf`-style text: one directive per line, `#` comments, arguments split
/// with Redis's quoting rules, `include` of other files, and command-line options appended as
/// lines (`--port 7000` becomes `port 7000`).
enum ConfigFile {
    /// Splits a line like Redis's sdssplitargs (the same C splitter inline requests use).
    /// Nil on unbalanced quotes.
    static func splitArgs(_ line: String) -> [String]? {
        let bytes = Array(line.utf8)
        var out = [UInt8](repeating: 0, count: max(bytes.count, 1))
        var cap = 16
        while true {
            var starts = [Int](repeating: 0, count: cap)
            var lens = [Int](repeating: 0, count: cap)
            let n = rw_split_args(bytes, bytes.count, &out, &starts, &lens, cap)
            if n < 0 { return nil }
            if n > cap { cap = n; continue }
            return (0..<n).map { String(decoding: out[starts[$0]..<(starts[$0] + lens[$0])], as: UTF8.self) }
        }
    }

    /// Reads a whole file as text, or throws with the reason.
    static func read(_ path: String) throws -> String {
        guard let f = fopen(path, "r") else {
            throw ConfigError(message: "Fatal error, can't open config file '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Applies configuration text to `config`. On error throws with Redis's fatal report.
    static func apply(_ text: String, to config: Config, depth: Int = 0) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // Multi-argument list directives given on several lines accumulate (save, bind...);
        // the first occurrence replaces the default.
        var seenList = Set<String>()
        for (n, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            func fail(_ reason: String) -> ConfigError {
                ConfigError(message: """

                *** FATAL CONFIG FILE ERROR (Redis \(redwingRedisVersion)) ***
                Reading the configuration file, at line \(n + 1)
                >>> '\(line)'
                \(reason)
                """)
            }
            guard let args = splitArgs(line) else { throw fail("Unbalanced quotes in configuration line") }
            guard !args.isEmpty else { continue }
            let name = args[0].lowercased()
            if name == "include" {
                guard args.count == 2 else { throw fail("Bad directive or wrong number of arguments") }
                if depth > 16 { throw fail("Too many nested includes") }
                try apply(try read(args[1]), to: config, depth: depth + 1)
                continue
            }
            if name == "rename-command" || name == "user" || name == "loadmodule" {
                throw fail("Bad directive or wrong number of arguments")
            }
            guard let p = config.param(name) else { throw fail("Bad directive or wrong number of arguments") }
            var value: String
            if p.multiArg {
                value = args.dropFirst().joined(separator: " ")
                if name == "save" && args.count == 2 && args[1].isEmpty { value = "" }
                if seenList.contains(p.name) && !value.isEmpty && !p.value.isEmpty {
                    value = p.value + " " + value
                }
                seenList.insert(p.name)
            } else {
                guard args.count == 2 else { throw fail("wrong number of arguments") }
                value = args[1]
            }
            do {
                let v = try p.normalise(value)
                p.value = v
            } catch let e as ConfigError {
                throw fail(e.message)
            }
        }
    }

    /// Turns `[config-file] [--name value ...]` into the file path and extra text, the way
    /// redis-server does: every `--name` starts a new line, the values that follow are its
    /// arguments (quoted so spaces survive).
    static func parseCommandLine(_ argv: [String]) -> (file: String?, text: String) {
        var args = argv
        var file: String? = nil
        if let first = args.first, !first.hasPrefix("--") {
            file = first
            args.removeFirst()
        }
        var text = ""
        var lineArgs = 0
        for a in args {
            if a.hasPrefix("--") && a.count > 2 {
                if !text.isEmpty { text += "\n" }
                text += String(a.dropFirst(2))
                lineArgs = 0
            } else {
                text += " " + quote(a)
                lineArgs += 1
            }
        }
        return (file, text)
    }

    /// Quotes an argument like sdscatrepr so splitArgs gives it back unchanged.
    static func quote(_ s: String) -> String {
        Array(s.utf8).withUnsafeBytes { reprBytes($0) }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}

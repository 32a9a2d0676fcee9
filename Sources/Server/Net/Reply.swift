import CEventShim

/// Reply helpers: thin wrappers over the C reply encoder (see rw_net.h). Static strings go
/// straight from the binary's read-only data into the client's buffer block.
extension Client {
    @inline(__always) func ok() { rw_reply_raw(raw, "+OK\r\n", 5) }
    @inline(__always) func simple(_ s: StaticString) {
        rw_reply_simple(raw, UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self), s.utf8CodeUnitCount)
    }
    func simple(_ s: String) {
        var s = s
        s.withUTF8 { u in rw_reply_simple(raw, UnsafeRawPointer(u.baseAddress!).assumingMemoryBound(to: CChar.self), u.count) }
    }
    /// Replies with an error; `s` carries its code ("ERR ...", "WRONGTYPE ...").
    @inline(__always) func error(_ s: StaticString) {
        server.countError(s.withUTF8Buffer { errorCode(UnsafeRawBufferPointer($0)) })
        rw_reply_error(raw, UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self), s.utf8CodeUnitCount)
    }
    func error(_ s: String) {
        var s = s
        s.withUTF8 { u in
            server.countError(errorCode(UnsafeRawBufferPointer(u)))
            rw_reply_error(raw, UnsafeRawPointer(u.baseAddress!).assumingMemoryBound(to: CChar.self), u.count)
        }
    }
    /// Replies with an error built from bytes (messages that echo client arguments).
    func error(bytes: [UInt8]) {
        bytes.withUnsafeBytes { u in
            server.countError(errorCode(u))
            rw_reply_error(raw, u.baseAddress!.assumingMemoryBound(to: CChar.self), u.count)
        }
    }
    @inline(__always) func int(_ v: Int64) { rw_reply_int(raw, v) }
    @inline(__always) func int(_ v: Int) { rw_reply_int(raw, Int64(v)) }
    @inline(__always) func bulk(_ p: UnsafeRawBufferPointer) { rw_reply_bulk(raw, p.baseAddress, p.count) }
    func bulk(_ b: [UInt8]) { b.withUnsafeBytes { rw_reply_bulk(raw, $0.baseAddress, $0.count) } }
    func bulk(_ s: String) { var s = s; s.withUTF8 { rw_reply_bulk(raw, $0.baseAddress, $0.count) } }
    @inline(__always) func bulk(_ v: Value) {
        if case .int(let i) = v { rw_reply_bulk_int(raw, i); return }
        v.withBytes { rw_reply_bulk(raw, $0.baseAddress, $0.count) }
    }
    @inline(__always) func null() { rw_reply_null(raw) }
    @inline(__always) func nullArray() { rw_reply_null_array(raw) }
    @inline(__always) func array(_ n: Int) { rw_reply_array(raw, n) }
    @inline(__always) func map(_ n: Int) { rw_reply_map(raw, n) }
    @inline(__always) func set(_ n: Int) { rw_reply_set(raw, n) }
    @inline(__always) func double(_ d: Double) { rw_reply_double(raw, d) }
    @inline(__always) func bool(_ b: Bool) { rw_reply_bool(raw, b ? 1 : 0) }
    /// Redis's addReplyHumanLongDouble: "%.17Lf" without trailing zeros, as a bulk string in
    /// RESP2 and a double in RESP3 (GEOPOS and WITHCOORD coordinates).
    func humanLongDouble(_ v: Float80) {
        guard let text = formatLongDoubleHuman(v) else { double(Double(v)); return }
        if resp >= 3 {
            rw_reply_raw(raw, ",", 1)
            text.withUnsafeBytes { rw_reply_raw(raw, $0.baseAddress, $0.count) }
            rw_reply_raw(raw, "\r\n", 2)
        } else {
            bulk(text)
        }
    }
    func verbatim(_ s: String) {
        var s = s
        s.withUTF8 { rw_reply_verbatim(raw, $0.baseAddress, $0.count, "txt") }
    }
    /// An array of bulk strings.
    func bulkArray(_ items: [[UInt8]]) {
        array(items.count)
        for i in items { bulk(i) }
    }
    func stringArray(_ items: [String]) {
        array(items.count)
        for i in items { bulk(i) }
    }
    func deferLength() -> UnsafeMutableRawPointer? { rw_reply_defer(raw) }
    func setDeferredArray(_ h: UnsafeMutableRawPointer?, _ n: Int) { rw_reply_set_deferred(raw, h, CChar(UInt8(ascii: "*")), n) }
    /// A deferred set length: `~` in RESP3, an array in RESP2.
    func setDeferredSet(_ h: UnsafeMutableRawPointer?, _ n: Int) {
        rw_reply_set_deferred(raw, h, CChar(UInt8(ascii: "~")), n)
    }

    // Errors every command family shares, spelled exactly as Redis does.
    /// Wrong number of arguments; `name` is the lowercase full name ("config|get").
    func arityError(_ name: String) { error(Client.arityMessage(name)) }
    static func arityMessage(_ name: String) -> String { "ERR wrong number of arguments for '\(name)' command" }
    func wrongType() { error("WRONGTYPE Operation against a key holding the wrong kind of value") }
    func syntaxError() { error("ERR syntax error") }
    func notInteger() { error("ERR value is not an integer or out of range") }
    func notFloat() { error("ERR value is not a valid float") }
    /// Redis's addReplySubcommandSyntaxError: the subcommand as typed, the command in capitals.
    func subcommandSyntaxError(_ a: Args) {
        let command = a.echo(0, max: Int.max).map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }
        error(bytes: Array("ERR unknown subcommand or wrong number of arguments for '".utf8) + a.echo(1) +
              Array("'. Try ".utf8) + command + Array(" HELP.".utf8))
    }
}

/// The error code of an error line: its first word ("ERR", "WRONGTYPE" ...), for errorstats.
func errorCode(_ s: UnsafeRawBufferPointer) -> String {
    var end = 0
    while end < s.count && s[end] != 32 { end += 1 }
    return String(decoding: UnsafeRawBufferPointer(rebasing: s[0..<end]), as: UTF8.self)
}

/// The reply of every HELP subcommand: a heading line, the given lines, and the HELP line.
func replyHelp(_ c: Client, _ command: String, _ lines: [String]) {
    let all = ["\(command) <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"] + lines +
        ["HELP", "    Prints this help."]
    c.array(all.count)
    for l in all { c.simple(l) }
}

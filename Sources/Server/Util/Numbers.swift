import CEventShim
import CRC64
import Glibc

/// Parses a signed decimal with Redis's `string2ll` rules: no spaces, no '+', no leading
/// zeros (except "0" itself), within Int64. Returns nil otherwise.
@inline(__always)
func parseStrictInt64(_ p: UnsafeRawBufferPointer) -> Int64? {
    let n = p.count
    if n == 0 || n > 20 { return nil }
    let b = p.baseAddress!.assumingMemoryBound(to: UInt8.self)
    if n == 1 && b[0] == 48 { return 0 }
    var i = 0
    var negative = false
    if b[0] == 45 { // '-'
        negative = true
        i = 1
        if n == 1 { return nil }
    }
    guard b[i] >= 49 && b[i] <= 57 else { return nil }
    var v: UInt64 = 0
    while i < n {
        let d = b[i] &- 48
        if d > 9 { return nil }
        let (m, o1) = v.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.addingReportingOverflow(UInt64(d))
        if o1 || o2 { return nil }
        v = s
        i += 1
    }
    if negative {
        if v > UInt64(Int64.max) + 1 { return nil }
        return v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v)
    } else {
        if v > UInt64(Int64.max) { return nil }
        return Int64(v)
    }
}

func parseStrictInt64(_ bytes: [UInt8]) -> Int64? {
    bytes.withUnsafeBytes { parseStrictInt64($0) }
}

/// Writes `v` in decimal at `out` (room for 20 bytes) and returns the length.
@inline(__always)
func formatInt64(_ v: Int64, into out: UnsafeMutableRawPointer) -> Int {
    Int(rw_ll2str(out.assumingMemoryBound(to: CChar.self), v))
}

/// The decimal representation of `v` as bytes.
func int64Bytes(_ v: Int64) -> [UInt8] {
    var buf = [UInt8](repeating: 0, count: 24)
    let n = buf.withUnsafeMutableBytes { formatInt64(v, into: $0.baseAddress!) }
    buf.removeLast(24 - n)
    return buf
}

/// Number of characters of `v` in decimal.
func decimalLength(_ v: Int64) -> Int {
    var n = v < 0 ? 2 : 1
    var u = v.magnitude
    while u >= 10 { u /= 10; n += 1 }
    return n
}

/// Parses a long double like Redis's string2ld (INCRBYFLOAT).
func parseLongDouble(_ p: UnsafeRawBufferPointer) -> Float80? {
    var v: Float80 = 0
    let ok = p.withMemoryRebound(to: CChar.self) { c in rw_string2ld(c.baseAddress, c.count, &v) }
    return ok == 1 ? v : nil
}

/// Parses a double like Redis's string2d (strtod over the whole input).
func parseDouble(_ p: UnsafeRawBufferPointer) -> Double? {
    var v: Double = 0
    let ok = p.withMemoryRebound(to: CChar.self) { c in rw_string2d(c.baseAddress, c.count, &v) }
    return ok == 1 ? v : nil
}

/// Formats like Redis's "human" long double (INCRBYFLOAT results). Nil if not finite.
func formatLongDoubleHuman(_ v: Float80) -> [UInt8]? {
    var buf = [UInt8](repeating: 0, count: 5120)
    let n = buf.withUnsafeMutableBytes { raw in
        rw_ld2str_human(raw.baseAddress!.assumingMemoryBound(to: CChar.self), 5120, v)
    }
    if n == 0 { return nil }
    buf.removeLast(5120 - Int(n))
    return buf
}

/// Formats a double like Redis's %.17g replies.
func formatDouble(_ d: Double) -> [UInt8] {
    var buf = [UInt8](repeating: 0, count: 64)
    let n = buf.withUnsafeMutableBytes { rw_d2str($0.baseAddress!.assumingMemoryBound(to: CChar.self), d) }
    buf.removeLast(64 - Int(n))
    return buf
}

/// Formats like Redis's fixedpoint_d2string (GEODIST and WITHDIST distances): the value
/// times 10^digits rounded half-to-even to an integer (C's llrint, whose out-of-range and NaN
/// result is Int64.min), printed with a dot before the last `digits` digits. It differs from
/// "%.4f" when the scaled product rounds onto a tie, and prints NaN as
/// "-922337203685477.5808" as Redis does.
func formatFixedPoint(_ d: Double, digits: Int) -> [UInt8] {
    if d == 0 { return Array("0.".utf8) + [UInt8](repeating: UInt8(ascii: "0"), count: digits) }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = d * scale
    let n: Int64 = scaled.isNaN || !(scaled >= -9223372036854775808.0 && scaled < 9223372036854775808.0)
        ? Int64.min : Int64(llrint(scaled))
    let magnitude = n.magnitude
    var divisor: UInt64 = 1
    for _ in 0..<digits { divisor *= 10 }
    let fraction = String(magnitude % divisor)
    return Array(((n < 0 ? "-" : "") + String(magnitude / divisor) + "."
                  + String(repeating: "0", count: digits - fraction.count) + fraction).utf8)
}

/// Formats like C's "%.<decimals>f" ("inf" and "nan" as glibc spells them).
func formatFixed(_ d: Double, decimals: Int32) -> [UInt8] {
    var buf = [CChar](repeating: 0, count: 512)
    let n = withVaList([decimals, d]) { vsnprintf(&buf, buf.count, "%.*f", $0) }
    return buf.prefix(Int(min(max(n, 0), Int32(buf.count - 1)))).map { UInt8(bitPattern: $0) }
}

/// Parses a memory amount with Redis's units: b, k, kb, m, mb, g, gb (case-insensitive;
/// "k" is 1000, "kb" 1024). Returns nil on bad input.
func parseMemory(_ s: String) -> Int64? {
    let lower = s.lowercased()
    if lower.hasPrefix("-") { return nil }
    let units: [(String, Int64)] = [("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10),
                                    ("g", 1_000_000_000), ("m", 1_000_000), ("k", 1000), ("b", 1)]
    for (suffix, mult) in units where lower.hasSuffix(suffix) {
        let num = String(lower.dropLast(suffix.count))
        guard let v = parseStrictInt64(Array(num.utf8)) else { return nil }
        let (r, o) = v.multipliedReportingOverflow(by: mult)
        return o ? nil : r
    }
    return parseStrictInt64(Array(lower.utf8))
}

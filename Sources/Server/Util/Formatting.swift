import Glibc

// Text formatting helpers shared by INFO, MONITOR, SLOWLOG and CONFIG REWRITE.

extension String {
    /// "%.2f"
    init(format2 v: Double) {
        var buf = [CChar](repeating: 0, count: 64)
        _ = withVaList([v]) { vsnprintf(&buf, 64, "%.2f", $0) }
        self = String(cString: buf)
    }

    /// Six digits with leading zeros (microsecond fractions).
    init(format6 v: Int64) {
        self = zeroPadded(v, 6)
    }

    /// "\\xHH" for one byte.
    init(format2hex u: UInt8) {
        let digits = Array("0123456789abcdef")
        self = "\\x" + String(digits[Int(u >> 4)]) + String(digits[Int(u & 15)])
    }
}

func zeroPadded(_ v: Int64, _ width: Int) -> String {
    let digits = String(v)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Quotes bytes like Redis's sdscatrepr ("\x00" escapes, \n, \" ...), for MONITOR and
/// SLOWLOG-like output.
func reprBytes(_ p: UnsafeRawBufferPointer) -> String {
    var out = "\""
    for u in p {
        switch u {
        case 92: out += "\\\\"
        case 34: out += "\\\""
        case 10: out += "\\n"
        case 13: out += "\\r"
        case 9: out += "\\t"
        case 7: out += "\\a"
        case 8: out += "\\b"
        case 32...126: out.unicodeScalars.append(UnicodeScalar(u))
        default: out += String(format2hex: u)
        }
    }
    return out + "\""
}

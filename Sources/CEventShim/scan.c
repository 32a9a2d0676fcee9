/* scan.c — the RESP request scanner.
 *
 * Requests are either multibulk ("*<n>\r\n$<len>\r\n<bytes>\r\n...") or inline (a line of
 * space-separated words with Redis's quoting rules). The scanner keeps its state in the client
 * between reads, so a command split across any number of reads is scanned once, byte for byte
 * (no rescanning from the start of a big MSET on every read).
 *
 * Multibulk arguments are not copied: argv points into the query buffer. While a command is
 * incomplete, its arguments are remembered as offsets, because the buffer may be compacted or
 * reallocated between reads. Errors use Redis 7.0's exact wording. */
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RW_INLINE_MAX (64 * 1024)   /* Redis's PROTO_INLINE_MAX_SIZE */
#define RW_MBULK_BIG_ARG (32 * 1024)

rw_limits rw_current_limits = {
    .proto_max_bulk_len = 512LL * 1024 * 1024,
    .client_max_querybuf_len = 1024LL * 1024 * 1024,
    .tcp_keepalive = 300,
};

/* Parses a signed decimal exactly like Redis's string2ll: no spaces, no '+', no leading
 * zeros, fits in long long. */
static int parse_ll(const unsigned char *p, size_t n, long long *out) {
    if (n == 0 || n > 20) return 0;
    size_t i = 0;
    int neg = 0;
    if (n == 1 && p[0] == '0') { *out = 0; return 1; }
    if (p[0] == '-') { neg = 1; i = 1; if (n == 1) return 0; }
    if (p[i] < '1' || p[i] > '9') return 0;
    unsigned long long v = 0;
    if (n - i <= 18) {
        /* Up to 18 digits cannot overflow: no checks per digit (every length line). */
        for (; i < n; i++) {
            unsigned d = (unsigned)(p[i] - '0');
            if (d > 9) return 0;
            v = v * 10 + d;
        }
        *out = neg ? -(long long)v : (long long)v;
        return 1;
    }
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        unsigned long long d = (unsigned long long)(p[i] - '0');
        if (v > (ULLONG_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1) return 0;
        *out = (long long)(0ULL - v);
    } else {
        if (v > (unsigned long long)LLONG_MAX) return 0;
        *out = (long long)v;
    }
    return 1;
}

static int ensure_args(rw_client *c, long n) {
    if (n <= c->arg_cap) return 1;
    int cap = c->arg_cap ? c->arg_cap : 8;
    while (cap < n) cap *= 2;
    size_t *off = realloc(c->arg_off, sizeof(size_t) * (size_t)cap);
    if (!off) return 0;
    c->arg_off = off;
    rw_slice *argv = realloc(c->argv, sizeof(rw_slice) * (size_t)cap);
    if (!argv) return 0;
    c->argv = argv;
    size_t *lens = realloc(c->inline_lens, sizeof(size_t) * (size_t)cap);
    if (!lens) return 0;
    c->inline_lens = lens;
    c->arg_cap = cap;
    return 1;
}

static unsigned char *find_crlf_line(rw_client *c, size_t from) {
    unsigned char *start = c->qbuf + from;
    return memchr(start, '\r', c->qb_len - from);
}

static int hexval(unsigned char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int is_space(unsigned char ch) {
    return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '\v' || ch == '\f';
}

long rw_split_args(const unsigned char *p, size_t n, unsigned char *out, size_t *starts,
                   size_t *lens, long cap) {
    size_t o = 0, i = 0;
    long argc = 0;
    while (1) {
        while (i < n && is_space(p[i])) i++;
        if (i >= n) return argc;
        int inq = 0, insq = 0, done = 0;
        size_t arg_start = o;
        while (!done) {
            if (inq) {
                if (i >= n) return -1;
                if (p[i] == '\\' && i + 3 < n && p[i + 1] == 'x' && hexval(p[i + 2]) >= 0 &&
                    hexval(p[i + 3]) >= 0) {
                    out[o++] = (unsigned char)(hexval(p[i + 2]) * 16 + hexval(p[i + 3]));
                    i += 3;
                } else if (p[i] == '\\' && i + 1 < n) {
                    unsigned char ch;
                    i++;
                    switch (p[i]) {
                    case 'n': ch = '\n'; break;
                    case 'r': ch = '\r'; break;
                    case 't': ch = '\t'; break;
                    case 'b': ch = '\b'; break;
                    case 'a': ch = '\a'; break;
                    default: ch = p[i]; break;
                    }
                    out[o++] = ch;
                } else if (p[i] == '"') {
                    /* A closing quote must be followed by a space or the end. */
                    if (i + 1 < n && !is_space(p[i + 1])) return -1;
                    done = 1;
                } else {
                    out[o++] = p[i];
                }
            } else if (insq) {
                if (i >= n) return -1;
                if (p[i] == '\\' && i + 1 < n && p[i + 1] == '\'') {
                    i++;
                    out[o++] = '\'';
                } else if (p[i] == '\'') {
                    if (i + 1 < n && !is_space(p[i + 1])) return -1;
                    done = 1;
                } else {
                    out[o++] = p[i];
                }
            } else {
                if (i >= n) break;
                switch (p[i]) {
                case ' ': case '\n': case '\r': case '\t': case '\0':
                    done = 1;
                    break;
                case '"': inq = 1; break;
                case '\'': insq = 1; break;
                default: out[o++] = p[i]; break;
                }
            }
            if (i < n) i++;
        }
        if (argc < cap) {
            starts[argc] = arg_start;
            lens[argc] = o - arg_start;
        }
        argc++;
    }
}

/* Splits an inline request into the client's scratch buffer and argv. */
static int split_inline(rw_client *c, const unsigned char *p, size_t n) {
    if (c->ibuf_cap < n + 1) {
        unsigned char *nb = realloc(c->ibuf, n + 1);
        if (!nb) return 0;
        c->ibuf = nb;
        c->ibuf_cap = n + 1;
    }
    for (;;) {
        long argc = rw_split_args(p, n, c->ibuf, c->arg_off, c->inline_lens, c->arg_cap);
        if (argc < 0) return 0;
        if (argc > c->arg_cap) {
            if (!ensure_args(c, argc)) return 0;
            continue;
        }
        for (long k = 0; k < argc; k++) {
            c->argv[k].ptr = c->ibuf + c->arg_off[k];
            c->argv[k].len = c->inline_lens[k];
        }
        c->argc = (int)argc;
        return 1;
    }
}

static int scan_inline(rw_client *c) {
    size_t pos = c->qb_pos;
    unsigned char *nl = memchr(c->qbuf + pos, '\n', c->qb_len - pos);
    if (!nl) {
        if (c->qb_len - pos > RW_INLINE_MAX) {
            c->err = "Protocol error: too big inline request";
            return -1;
        }
        return 0;
    }
    size_t end = (size_t)(nl - c->qbuf);
    size_t linelen = end - pos;
    if (linelen > 0 && c->qbuf[end - 1] == '\r') linelen--;
    c->qb_pos = end + 1;
    c->cmd_start = c->qb_pos;
    if (!split_inline(c, c->qbuf + pos, linelen)) {
        c->err = "Protocol error: unbalanced quotes in request";
        return -1;
    }
    c->reqtype = 0;
    return 1;
}

static int scan_multibulk(rw_client *c) {
    if (c->mb_left == 0 && c->reqtype == 2 && c->argc == 0) {
        /* Header "*<n>\r\n" not yet read. */
        unsigned char *cr = find_crlf_line(c, c->qb_pos);
        if (!cr || (size_t)(cr - c->qbuf) + 1 >= c->qb_len) {
            if (c->qb_len - c->qb_pos > RW_INLINE_MAX) {
                c->err = "Protocol error: too big mbulk count string";
                return -1;
            }
            return 0;
        }
        long long ll;
        size_t start = c->qb_pos + 1;
        if (!parse_ll(c->qbuf + start, (size_t)(cr - c->qbuf) - start, &ll) || ll > INT_MAX) {
            c->err = "Protocol error: invalid multibulk length";
            return -1;
        }
        c->qb_pos = (size_t)(cr - c->qbuf) + 2;
        if (ll <= 0) {
            /* "*0" or "*-1": an empty command, skipped like Redis does. */
            c->reqtype = 0;
            c->cmd_start = c->qb_pos;
            return 2;
        }
        if (ll > 1024 * 1024) {
            c->err = "Protocol error: invalid multibulk length";
            return -1;
        }
        if (ll > 10 && (c->flags & RW_UNAUTHENTICATED)) {
            c->err = "Protocol error: unauthenticated multibulk length";
            return -1;
        }
        if (!ensure_args(c, ll > 1024 ? 1024 : (long)ll)) {
            c->err = "Protocol error: invalid multibulk length";
            return -1;
        }
        c->mb_left = (long)ll;
        c->bulklen = -1;
    }
    while (c->mb_left > 0) {
        if (c->bulklen == -1) {
            if (c->qb_pos >= c->qb_len) return 0;
            unsigned char *cr = find_crlf_line(c, c->qb_pos);
            if (!cr || (size_t)(cr - c->qbuf) + 1 >= c->qb_len) {
                if (c->qb_len - c->qb_pos > RW_INLINE_MAX) {
                    c->err = "Protocol error: too big bulk count string";
                    return -1;
                }
                return 0;
            }
            if (c->qbuf[c->qb_pos] != '$') {
                static char msg[64];
                snprintf(msg, sizeof msg, "Protocol error: expected '$', got '%c'", c->qbuf[c->qb_pos]);
                c->err = msg;
                return -1;
            }
            long long ll;
            size_t start = c->qb_pos + 1;
            if (!parse_ll(c->qbuf + start, (size_t)(cr - c->qbuf) - start, &ll) || ll < 0 ||
                ll > rw_current_limits.proto_max_bulk_len) {
                c->err = "Protocol error: invalid bulk length";
                return -1;
            }
            if (ll > 16384 && (c->flags & RW_UNAUTHENTICATED)) {
                c->err = "Protocol error: unauthenticated bulk length";
                return -1;
            }
            c->qb_pos = (size_t)(cr - c->qbuf) + 2;
            c->bulklen = ll;
        }
        if (c->qb_len - c->qb_pos < (size_t)c->bulklen + 2) return 0;
        if (!ensure_args(c, c->argc + 1)) {
            c->err = "Protocol error: invalid multibulk length";
            return -1;
        }
        c->arg_off[c->argc] = c->qb_pos;
        c->argv[c->argc].len = (size_t)c->bulklen;
        c->argc++;
        c->qb_pos += (size_t)c->bulklen + 2;
        c->bulklen = -1;
        c->mb_left--;
    }
    for (int i = 0; i < c->argc; i++) c->argv[i].ptr = c->qbuf + c->arg_off[i];
    c->reqtype = 0;
    c->cmd_start = c->qb_pos;
    return 1;
}

int rw_next_command(rw_client *c) {
    for (;;) {
        if (c->reqtype == 0) {
            c->argc = 0;
            c->cmd_start = c->qb_pos;
            c->last_start = c->qb_pos;
            if (c->qb_pos >= c->qb_len) return 0;
            c->reqtype = c->qbuf[c->qb_pos] == '*' ? 2 : 1;
        }
        int r = c->reqtype == 2 ? scan_multibulk(c) : scan_inline(c);
        if (r == 2) continue;                      /* empty multibulk: skip */
        if (r == 1 && c->argc == 0) continue;      /* empty inline line: skip */
        return r;
    }
}

/* How many more bytes the command being scanned needs, so the reader can make room for a big
 * bulk in one allocation instead of doubling repeatedly. */
size_t rw_scan_bytes_wanted(const rw_client *c) {
    if (c->reqtype == 2 && c->bulklen >= RW_MBULK_BIG_ARG) {
        size_t want = c->qb_pos + (size_t)c->bulklen + 2;
        return want > c->qb_len ? want - c->qb_len : 0;
    }
    return 0;
}

void rw_client_unread_command(rw_client *c) {
    c->qb_pos = c->last_start;
    c->cmd_start = c->last_start;
    c->reqtype = 0;
    c->argc = 0;
}

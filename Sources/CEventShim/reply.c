/* reply.c — reply encoding into per-client buffer blocks (RESP2 and RESP3).
 *
 * Replies are appended to the client's chain of blocks; nothing is written to the socket here.
 * The first reply queued for a client puts it on the server's pending-write list, which is
 * flushed with one writev per client before the loop sleeps (see loop.c). On the common path
 * (a reply that fits the tail block) no memory is allocated. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A few free blocks are kept for reuse so busy clients do not malloc per loop iteration. */
#define RW_FREE_BLOCKS_MAX 64
static rw_block *free_blocks;
static int n_free_blocks;

static rw_block *block_new(size_t need) {
    if (need <= RW_BLOCK_SIZE && free_blocks) {
        rw_block *b = free_blocks;
        free_blocks = b->next;
        n_free_blocks--;
        b->next = NULL;
        b->used = 0;
        return b;
    }
    size_t size = need <= RW_BLOCK_SIZE ? RW_BLOCK_SIZE : need;
    rw_block *b = malloc(sizeof(rw_block) + size);
    if (!b) abort();
    b->next = NULL;
    b->used = 0;
    b->size = size;
    return b;
}

static void block_free(rw_block *b) {
    if (b->size == RW_BLOCK_SIZE && n_free_blocks < RW_FREE_BLOCKS_MAX) {
        b->next = free_blocks;
        free_blocks = b;
        n_free_blocks++;
    } else {
        free(b);
    }
}

void rw_free_reply_chain(rw_client *c) {
    rw_block *b = c->reply_head;
    while (b) {
        rw_block *n = b->next;
        block_free(b);
        b = n;
    }
    c->reply_head = c->reply_tail = NULL;
    c->sent_in_head = 0;
    c->reply_bytes = 0;
}

void rw_consume_written(rw_client *c, size_t n) {
    c->reply_bytes -= n;
    while (n > 0 && c->reply_head) {
        rw_block *b = c->reply_head;
        size_t left = b->used - c->sent_in_head;
        if (n >= left) {
            n -= left;
            c->reply_head = b->next;
            if (!c->reply_head) c->reply_tail = NULL;
            c->sent_in_head = 0;
            block_free(b);
        } else {
            c->sent_in_head += n;
            n = 0;
        }
    }
    /* Drop empty blocks at the head (deferred headers can leave them). */
    while (c->reply_head && c->reply_head->used == c->sent_in_head && c->reply_head->next) {
        rw_block *b = c->reply_head;
        c->reply_head = b->next;
        c->sent_in_head = 0;
        block_free(b);
    }
}

static inline int replies_suppressed(const rw_client *c) {
    return (c->flags & (RW_REPLY_OFF | RW_REPLY_SKIP | RW_CLOSE_ASAP | RW_CLOSE_AFTER_REPLY)) != 0
        || c->fd < 0;
}

void rw_reply_raw(rw_client *c, const void *p, size_t n) {
    if (replies_suppressed(c)) return;
    const unsigned char *src = p;
    rw_block *t = c->reply_tail;
    if (t && t->size - t->used >= n) {
        memcpy(t->data + t->used, src, n);
        t->used += n;
    } else {
        /* Fill what fits, then one new block big enough for the rest. */
        if (t) {
            size_t room = t->size - t->used;
            memcpy(t->data + t->used, src, room);
            t->used += room;
            src += room;
            n -= room;
            c->reply_bytes += room;
        }
        rw_block *b = block_new(n);
        memcpy(b->data, src, n);
        b->used = n;
        if (t) t->next = b; else c->reply_head = b;
        c->reply_tail = b;
    }
    c->reply_bytes += n;
    if (!(c->flags & RW_PENDING_WRITE)) rw_pending_add(c);
}

int rw_ll2str(char *buf, long long v) {
    char tmp[24];
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int len = 0;
    if (v < 0) buf[len++] = '-';
    while (n) buf[len++] = tmp[--n];
    buf[len] = 0;
    return len;
}

int rw_d2str(char *buf, double d) {
    if (isinf(d)) {
        if (d > 0) { memcpy(buf, "inf", 4); return 3; }
        memcpy(buf, "-inf", 5);
        return 4;
    }
    if (isnan(d)) { memcpy(buf, "nan", 4); return 3; }
    return snprintf(buf, 64, "%.17g", d);
}

/* Writes "<prefix><n>\r\n". */
static void reply_len(rw_client *c, char prefix, long long n) {
    char buf[32];
    buf[0] = prefix;
    int len = 1 + rw_ll2str(buf + 1, n);
    buf[len++] = '\r';
    buf[len++] = '\n';
    rw_reply_raw(c, buf, (size_t)len);
}

void rw_reply_simple(rw_client *c, const char *s, size_t n) {
    if (replies_suppressed(c)) return;
    rw_reply_raw(c, "+", 1);
    rw_reply_raw(c, s, n);
    rw_reply_raw(c, "\r\n", 2);
}

void rw_reply_error(rw_client *c, const char *s, size_t n) {
    if (replies_suppressed(c)) return;
    rw_reply_raw(c, "-", 1);
    /* An error line must not contain CR or LF: Redis replaces them with spaces. */
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' || s[i] == '\n') {
            rw_reply_raw(c, s + start, i - start);
            rw_reply_raw(c, " ", 1);
            start = i + 1;
        }
    }
    rw_reply_raw(c, s + start, n - start);
    rw_reply_raw(c, "\r\n", 2);
}

void rw_reply_int(rw_client *c, long long v) {
    if (v == 0) { rw_reply_raw(c, ":0\r\n", 4); return; }
    if (v == 1) { rw_reply_raw(c, ":1\r\n", 4); return; }
    reply_len(c, ':', v);
}

void rw_reply_bulk(rw_client *c, const void *p, size_t n) {
    if (replies_suppressed(c)) return;
    rw_block *t = c->reply_tail;
    /* Fast path: header, payload and CRLF into the tail block in one go. */
    if (t && t->size - t->used >= n + 24) {
        unsigned char *d = t->data + t->used;
        unsigned char *start = d;
        *d++ = '$';
        d += rw_ll2str((char *)d, (long long)n);
        *d++ = '\r'; *d++ = '\n';
        memcpy(d, p, n);
        d += n;
        *d++ = '\r'; *d++ = '\n';
        size_t w = (size_t)(d - start);
        t->used += w;
        c->reply_bytes += w;
        if (!(c->flags & RW_PENDING_WRITE)) rw_pending_add(c);
        return;
    }
    reply_len(c, '$', (long long)n);
    rw_reply_raw(c, p, n);
    rw_reply_raw(c, "\r\n", 2);
}

void rw_reply_bulk_int(rw_client *c, long long v) {
    char buf[24];
    int n = rw_ll2str(buf, v);
    rw_reply_bulk(c, buf, (size_t)n);
}

void rw_reply_null(rw_client *c) {
    if (c->resp >= 3) rw_reply_raw(c, "_\r\n", 3);
    else rw_reply_raw(c, "$-1\r\n", 5);
}

void rw_reply_null_array(rw_client *c) {
    if (c->resp >= 3) rw_reply_raw(c, "_\r\n", 3);
    else rw_reply_raw(c, "*-1\r\n", 5);
}

void rw_reply_array(rw_client *c, long n) { reply_len(c, '*', n); }

void rw_reply_map(rw_client *c, long n) {
    if (c->resp >= 3) reply_len(c, '%', n);
    else reply_len(c, '*', 2 * (long long)n);
}

void rw_reply_set(rw_client *c, long n) { reply_len(c, c->resp >= 3 ? '~' : '*', n); }

void rw_reply_push(rw_client *c, long n) { reply_len(c, c->resp >= 3 ? '>' : '*', n); }

void rw_reply_double(rw_client *c, double d) {
    char buf[64];
    int n = rw_d2str(buf, d);
    if (c->resp >= 3) {
        rw_reply_raw(c, ",", 1);
        rw_reply_raw(c, buf, (size_t)n);
        rw_reply_raw(c, "\r\n", 2);
    } else {
        rw_reply_bulk(c, buf, (size_t)n);
    }
}

void rw_reply_bool(rw_client *c, int b) {
    if (c->resp >= 3) rw_reply_raw(c, b ? "#t\r\n" : "#f\r\n", 4);
    else rw_reply_int(c, b ? 1 : 0);
}

void rw_reply_verbatim(rw_client *c, const void *p, size_t n, const char *fmt) {
    if (c->resp >= 3) {
        reply_len(c, '=', (long long)n + 4);
        rw_reply_raw(c, fmt, 3);
        rw_reply_raw(c, ":", 1);
        rw_reply_raw(c, p, n);
        rw_reply_raw(c, "\r\n", 2);
    } else {
        rw_reply_bulk(c, p, n);
    }
}

void rw_reply_bignum(rw_client *c, const void *p, size_t n) {
    if (c->resp >= 3) {
        rw_reply_raw(c, "(", 1);
        rw_reply_raw(c, p, n);
        rw_reply_raw(c, "\r\n", 2);
    } else {
        rw_reply_bulk(c, p, n);
    }
}

/* A deferred header is a small block of its own in the chain, filled in later; the data
 * after it goes to a new block. Output is only written before the loop sleeps, after the
 * command finished, so the header is always filled before it can be sent. */
#define RW_DEFER_SIZE 32
void *rw_reply_defer(rw_client *c) {
    if (replies_suppressed(c)) return NULL;
    rw_block *b = malloc(sizeof(rw_block) + RW_DEFER_SIZE);
    if (!b) abort();
    b->next = NULL;
    b->used = 0;
    b->size = RW_DEFER_SIZE;
    if (c->reply_tail) c->reply_tail->next = b; else c->reply_head = b;
    /* A fresh block follows so later replies do not land in the header's block. */
    rw_block *after = block_new(0);
    b->next = after;
    c->reply_tail = after;
    if (!(c->flags & RW_PENDING_WRITE)) rw_pending_add(c);
    return b;
}

void rw_reply_set_deferred(rw_client *c, void *handle, char kind, long n) {
    if (!handle) return;
    rw_block *b = handle;
    long long count = n;
    if (kind == '%' && c->resp < 3) { kind = '*'; count = 2 * (long long)n; }
    if (kind == '~' && c->resp < 3) kind = '*';
    char buf[32];
    buf[0] = kind;
    int len = 1 + rw_ll2str(buf + 1, count);
    buf[len++] = '\r';
    buf[len++] = '\n';
    memcpy(b->data, buf, (size_t)len);
    b->used = (size_t)len;
    c->reply_bytes += (size_t)len;
}

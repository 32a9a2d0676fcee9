/*
 * rw_net.h — the C core of Redwing's request path: the libevent loop, listeners, per-client
 * query buffers with the RESP scanner, and reply buffer blocks flushed with writev.
 *
 * Threading: every function here runs on the main (event loop) thread only.
 *
 * Ownership:
 *  - rw_server and rw_client are allocated and freed by this library. Swift keeps its own
 *    object per client in rw_client.owner (an Unmanaged reference it retains/releases itself:
 *    it is told about every client twice, on_accept and on_close).
 *  - argv slices returned by rw_next_command point into the client's query buffer (or its
 *    inline scratch buffer). They stay valid until the next call of rw_next_command for that
 *    client or until the input callback returns, whichever comes first. Copy what you keep.
 *  - Reply functions copy their input; callers keep ownership of what they pass.
 */
#ifndef RW_NET_H
#define RW_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct event;
typedef struct rw_server rw_server;
typedef struct rw_block rw_block;

/** A byte range. */
typedef struct rw_slice {
    const unsigned char *ptr;
    size_t len;
} rw_slice;

/* Client flags (rw_client.flags). */
enum {
    RW_CLOSE_AFTER_REPLY = 1u << 0, /* close once the pending output is written */
    RW_CLOSE_ASAP        = 1u << 1, /* close in the next before-sleep step, dropping output */
    RW_REPLY_OFF         = 1u << 2, /* CLIENT REPLY OFF: replies are dropped */
    RW_REPLY_SKIP        = 1u << 3, /* drop the replies of the current command only */
    RW_UNIX_SOCKET       = 1u << 4, /* connected through the unix socket */
    RW_PENDING_WRITE     = 1u << 5, /* internal: on the pending-write list */
    RW_WRITE_INSTALLED   = 1u << 6, /* internal: a write event is installed */
    RW_PAUSED_INPUT      = 1u << 7, /* input is left in the buffer until resumed */
    RW_CLOSED            = 1u << 8, /* internal: on the close list */
    RW_OUTPUT_BLOCKED    = 1u << 9, /* internal: not reading until the output drains */
    RW_RESUME_QUEUED     = 1u << 10, /* internal: on the resume list */
    RW_UNAUTHENTICATED   = 1u << 11, /* set by Swift: Redis's smaller limits for input apply */
    RW_BLOCKED           = 1u << 12, /* set by Swift: waiting in a blocking command (BLPOP ...);
                                        input is read but left in the buffer until cleared and
                                        rw_client_resume_input is called */
};

/** Output a client may have queued before its input is left unread until the output drains
 *  to half of it. This bounds the memory of a client that pipelines without reading replies
 *  (backpressure instead of unbounded growth or a disconnect). */
#define RW_OUTPUT_BACKPRESSURE (64u * 1024 * 1024)


/** Per-client state. Fields above the marker are read (and some written) by Swift. */
typedef struct rw_client {
    uint64_t id;          /* unique, increasing from 1 */
    int fd;
    int resp;             /* protocol version for replies: 2 or 3 */
    uint32_t flags;
    int argc;             /* arguments of the command returned by rw_next_command */
    rw_slice *argv;
    void *owner;          /* Swift's per-client object (opaque here) */
    int64_t ctime_ms;     /* connection time */
    int64_t last_io_ms;   /* last read from or write to the socket */
    uint64_t net_in;      /* bytes read */
    uint64_t net_out;     /* bytes written */
    char addr[64];        /* peer "ip:port" or socket path */
    char laddr[64];       /* local "ip:port" */
    size_t reply_bytes;   /* bytes of reply queued and not yet written */
    /* ---- private below ---- */
    rw_server *server;
    unsigned char *qbuf;
    size_t qb_len, qb_cap, qb_pos, cmd_start;
    size_t last_start;    /* where the command last returned began */
    int reqtype;          /* 0 none yet, 1 inline, 2 multibulk */
    long mb_left;         /* bulk arguments still expected */
    long long bulklen;    /* length of the bulk being read, -1 while expecting '$' */
    size_t *arg_off;      /* offsets into qbuf of the multibulk args read so far */
    size_t *inline_lens;  /* argument lengths while splitting an inline request */
    int arg_cap;
    unsigned char *ibuf;  /* scratch for unescaped inline arguments */
    size_t ibuf_cap;
    rw_block *reply_head, *reply_tail;
    size_t sent_in_head;
    struct event *rev, *wev;
    struct rw_client *pend_prev, *pend_next;
    struct rw_client *close_next;
    struct rw_client *resume_next;
    struct rw_client *all_prev, *all_next;
    const char *err;      /* protocol error message of the last scan, if any */
} rw_client;

/** Asks the CPU to start loading the cache line at p (a hint; p may be any address). For
 *  walks over randomly placed blocks: the snapshot cursor prefetches the entries a few
 *  buckets ahead, so their cache misses overlap instead of adding up. */
static inline void rw_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/** Whether the command loop should stop taking input from this client for now. */
static inline int rw_client_output_full(const rw_client *c) {
    return c->reply_bytes > RW_OUTPUT_BACKPRESSURE;
}

/** Callbacks from the loop into Swift. All run on the main thread. */
typedef struct rw_callbacks {
    /** A connection was accepted. Return 0 to accept, or a pointer to an error line
     *  (without CRLF) to send before closing it (e.g. max clients). */
    const char *(*on_accept)(rw_client *c);
    /** New input is in the query buffer: consume commands with rw_next_command. */
    void (*on_input)(rw_client *c);
    /** The client is about to be freed (its owner must be released here). */
    void (*on_close)(rw_client *c);
    /** Called once per loop iteration before replies are flushed and the loop sleeps. */
    void (*before_sleep)(void);
    /** Periodic timer (server cron), every 1000/hz milliseconds. */
    void (*on_cron)(void);
    /** SIGTERM or SIGINT was received. */
    void (*on_signal)(int signo);
} rw_callbacks;

/** Limits the scanner enforces; the server updates them on CONFIG SET. */
typedef struct rw_limits {
    long long proto_max_bulk_len;      /* proto-max-bulk-len */
    long long client_max_querybuf_len; /* client-query-buffer-limit */
    int tcp_keepalive;                 /* seconds, 0 = off */
} rw_limits;

extern rw_limits rw_current_limits;

/* ---- server and loop ---- */

/** Creates the loop. Returns NULL on failure. */
rw_server *rw_server_new(const rw_callbacks *cb);
/** Listens on a TCP address. Returns the listening fd or -1 with errno set. */
int rw_listen_tcp(rw_server *s, const char *addr, int port, int backlog);
/** Listens on a unix socket path with the given permissions (0 = default). */
int rw_listen_unix(rw_server *s, const char *path, int perm, int backlog);
/** Closes every listener (on shutdown). */
void rw_close_listeners(rw_server *s);
/** Closes the TCP listeners only (CONFIG SET port/bind reopens them). */
void rw_close_tcp_listeners(rw_server *s);
/** Sets the cron period in milliseconds (1000/hz). */
void rw_set_cron_period(rw_server *s, int ms);
/** Makes the loop wake up (and run before_sleep) at `when_ms` (wall clock, ms) at the
 *  latest, replacing the previous wake-up. Blocked clients' timeouts use it. */
void rw_set_wakeup(rw_server *s, int64_t when_ms);
/** Makes the loop go round once more (before_sleep runs) as soon as it can. The only call
 *  here that is safe from any thread: background jobs (snapshots) use it to say they have
 *  made progress. */
void rw_wake(rw_server *s);
/** Serves ready connections without blocking: reads input (on_input runs), writes pending
 *  replies, closes what must close. For long jobs on the main thread (loading a snapshot at
 *  start-up), which call it every so often so clients get answers (-LOADING) meanwhile. */
void rw_process_events_nonblocking(rw_server *s);
/** Runs until rw_server_stop. */
void rw_server_run(rw_server *s);
void rw_server_stop(rw_server *s);
/* ---- clients without a connection ---- */

/** A client with no socket, outside the client list (CLIENT LIST does not show it), whose
 *  replies are dropped: the AOF loader feeds it the file and runs what it scans, as Redis's
 *  fake AOF client does. Freed with rw_client_free_fake. NULL if out of memory. */
rw_client *rw_client_new_fake(rw_server *s);
void rw_client_free_fake(rw_client *c);
/** Appends n bytes to a fake client's query buffer (consumed commands are dropped first).
 *  Returns 0, or -1 if out of memory. rw_next_command then scans them. */
int rw_client_feed(rw_client *c, const void *p, size_t n);
/** Bytes fed but not yet consumed by rw_next_command (a truncated last command). */
size_t rw_client_unconsumed(const rw_client *c);

/** Number of connected clients. */
int rw_client_count(rw_server *s);
/** Walks every client: first with NULL, then the previous one; NULL at the end. */
rw_client *rw_client_next(rw_server *s, rw_client *prev);

/* ---- input ---- */

/** Scans the next complete command of the client's query buffer.
 *  Returns 1 with argc/argv set, 0 when more input is needed, -1 on a protocol error
 *  (c->err holds Redis's message without "-ERR " prefix; the caller replies and closes). */
int rw_next_command(rw_client *c);
/** Puts the command just returned by rw_next_command back, so it is scanned again later
 *  (a command held by CLIENT PAUSE). */
void rw_client_unread_command(rw_client *c);
/** Splits a line with Redis's quoting rules (inline requests and redis.conf lines): words
 *  separated by spaces, "double quotes" with \n \r \t \b \a \\ \" \xHH escapes, 'single
 *  quotes' with only \' escaped, and a closing quote followed by a space or the end.
 *  `out` must hold n bytes; argument k is out[starts[k] ..< starts[k] + lens[k]] for k < cap.
 *  Returns the number of arguments (call again with more room if it exceeds cap), or -1 for
 *  unbalanced quotes. Pure function: safe from any thread. */
long rw_split_args(const unsigned char *p, size_t n, unsigned char *out, size_t *starts,
                   size_t *lens, long cap);
/** Runs the input callback again for input left in the buffer (after a pause ends). */
void rw_client_resume_input(rw_client *c);
/** Gives back the query buffer and large argument arrays of a client with no pending input
 *  (the cron calls it for idle clients). */
void rw_client_shrink_idle(rw_client *c);
/** Bytes in the query buffer (for CLIENT LIST qbuf). */
size_t rw_client_qbuf_len(const rw_client *c);
size_t rw_client_qbuf_cap(const rw_client *c);

/* ---- output ---- */

void rw_reply_raw(rw_client *c, const void *p, size_t n);
/** "+s\r\n" */
void rw_reply_simple(rw_client *c, const char *s, size_t n);
/** "-s\r\n"; s carries its own code ("ERR ...", "WRONGTYPE ..."). CR/LF in s become spaces. */
void rw_reply_error(rw_client *c, const char *s, size_t n);
void rw_reply_int(rw_client *c, long long v);
void rw_reply_bulk(rw_client *c, const void *p, size_t n);
void rw_reply_bulk_int(rw_client *c, long long v);
/** RESP2 "$-1", RESP3 "_". */
void rw_reply_null(rw_client *c);
/** RESP2 "*-1", RESP3 "_". */
void rw_reply_null_array(rw_client *c);
void rw_reply_array(rw_client *c, long n);
/** RESP3 map of n pairs; RESP2 flat array of 2n. */
void rw_reply_map(rw_client *c, long n);
/** RESP3 set; RESP2 array. */
void rw_reply_set(rw_client *c, long n);
/** RESP3 push; RESP2 array. */
void rw_reply_push(rw_client *c, long n);
/** RESP3 double; RESP2 bulk string, formatted like Redis's addReplyDouble. */
void rw_reply_double(rw_client *c, double d);
/** RESP3 boolean; RESP2 integer 1/0. */
void rw_reply_bool(rw_client *c, int b);
/** RESP3 verbatim string with a 3-letter format; RESP2 bulk. */
void rw_reply_verbatim(rw_client *c, const void *p, size_t n, const char *fmt);
/** RESP3 big number; RESP2 bulk. */
void rw_reply_bignum(rw_client *c, const void *p, size_t n);
/** Reserves the place of an aggregate header whose length is known later. */
void *rw_reply_defer(rw_client *c);
/** Fills a deferred header: kind is '*' array, '%' map (n pairs), '~' set. */
void rw_reply_set_deferred(rw_client *c, void *handle, char kind, long n);
/** Asks for the client to be closed after its output is written. */
void rw_client_close_after_reply(rw_client *c);
/** Closes the client in the next before-sleep step (safe while it is being served). */
void rw_client_close_async(rw_client *c);

/* ---- misc helpers ---- */

/** Wall-clock milliseconds / microseconds. */
int64_t rw_now_ms(void);
int64_t rw_now_us(void);
/** Formats v in decimal into buf (at least 21 bytes); returns the length. */
int rw_ll2str(char *buf, long long v);
/** Formats d like Redis's "%.17g" with inf/-inf/nan spelled Redis's way; buf >= 64 bytes. */
int rw_d2str(char *buf, double d);

/** Fills p with n random bytes from the kernel (falls back to the clock if unavailable). */
void rw_random_bytes(void *p, size_t n);
/** Allocator figures: bytes in use by the program, and bytes the allocator holds. */
void rw_malloc_stats(size_t *used, size_t *held);
/** CPU time of the calling thread, user and system, in microseconds. */
void rw_thread_cpu_us(int64_t *user, int64_t *sys);
/** Gives free memory at the top of every malloc arena back to the system (after a snapshot,
 *  whose writer thread allocated from its own arena). */
void rw_malloc_trim(void);
/** Sets the calling thread's niceness (Linux schedules threads separately); errors ignored. */
void rw_thread_set_nice(int nice);

#ifdef __cplusplus
}
#endif
#endif

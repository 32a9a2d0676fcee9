/* loop.c — the libevent loop, listeners, client lifecycle, reading and flushing.
 *
 * The loop runs libevent one iteration at a time (EVLOOP_ONCE) so that, like Redis's
 * beforeSleep, work that must happen once per iteration runs between iterations: Swift's
 * before_sleep callback (AOF writes, etc.), then one writev per client with pending output,
 * then deferred closes. Replies are never written from inside a read handler, so every command
 * of a pipelined read shares one write. */
#define _GNU_SOURCE
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <netdb.h>

#define RW_READ_CHUNK (16 * 1024)
#define RW_MAX_ACCEPTS_PER_CALL 1000
#define RW_IOV_MAX 128
#define RW_QBUF_KEEP_MAX (1024 * 1024)


int64_t rw_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rw_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The time libevent cached when this loop iteration woke up: good enough for idle
 * accounting, and it saves a clock read per client read. */
static int64_t loop_time_ms(rw_server *s) {
    struct timeval tv;
    if (event_base_gettimeofday_cached(s->base, &tv) != 0) return rw_now_ms();
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ---- pending-write and close lists ---- */

void rw_pending_add(rw_client *c) {
    rw_server *s = c->server;
    c->flags |= RW_PENDING_WRITE;
    c->pend_prev = NULL;
    c->pend_next = s->pend_head;
    if (s->pend_head) s->pend_head->pend_prev = c;
    s->pend_head = c;
}

static void pending_remove(rw_client *c) {
    if (!(c->flags & RW_PENDING_WRITE)) return;
    rw_server *s = c->server;
    if (c->pend_prev) c->pend_prev->pend_next = c->pend_next; else s->pend_head = c->pend_next;
    if (c->pend_next) c->pend_next->pend_prev = c->pend_prev;
    c->pend_prev = c->pend_next = NULL;
    c->flags &= ~(uint32_t)RW_PENDING_WRITE;
}

void rw_client_close_async(rw_client *c) {
    if (c->flags & RW_CLOSED) return;
    c->flags |= RW_CLOSE_ASAP | RW_CLOSED;
    c->close_next = c->server->close_head;
    c->server->close_head = c;
}

void rw_client_close_after_reply(rw_client *c) { c->flags |= RW_CLOSE_AFTER_REPLY; }

/* ---- client lifecycle ---- */

/* A zeroed client with its defaults (RESP2, no bulk pending); connected or not. */
static rw_client *client_alloc(rw_server *s, int fd) {
    rw_client *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->server = s;
    c->fd = fd;
    c->id = ++s->next_id;
    c->resp = 2;
    c->bulklen = -1;
    c->ctime_ms = c->last_io_ms = rw_now_ms();
    return c;
}

/* The client's buffers and the client itself; the caller has unlinked it from every list. */
static void client_release(rw_client *c) {
    rw_free_reply_chain(c);
    free(c->qbuf);
    free(c->arg_off);
    free(c->inline_lens);
    free(c->argv);
    free(c->ibuf);
    free(c);
}

void rw_client_free(rw_client *c) {
    rw_server *s = c->server;
    if (c->flags & RW_RESUME_QUEUED) {
        for (rw_client **p = &s->resume_head; *p; p = &(*p)->resume_next) {
            if (*p == c) { *p = c->resume_next; break; }
        }
    }
    if (s->cb.on_close && c->owner) s->cb.on_close(c);
    c->owner = NULL;
    pending_remove(c);
    if (c->rev) { event_free(c->rev); c->rev = NULL; }
    if (c->wev) { event_free(c->wev); c->wev = NULL; }
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    if (c->all_prev) c->all_prev->all_next = c->all_next; else s->all_head = c->all_next;
    if (c->all_next) c->all_next->all_prev = c->all_prev;
    s->nclients--;
    client_release(c);
}

/* Closing from inside a handler would free the client under the caller's feet, so handlers
 * only ever queue a close; the queue is drained between loop iterations. */
static void process_close_list(rw_server *s) {
    while (s->close_head) {
        rw_client *c = s->close_head;
        s->close_head = c->close_next;
        rw_client_free(c);
    }
}

static void on_write(evutil_socket_t fd, short what, void *arg);

/* Writes as much of the reply chain as the socket takes. Returns -1 if the connection failed. */
static int write_chain(rw_client *c) {
    while (c->reply_head) {
        struct iovec iov[RW_IOV_MAX];
        int n = 0;
        size_t total = 0;
        rw_block *b = c->reply_head;
        size_t off = c->sent_in_head;
        while (b && n < RW_IOV_MAX) {
            if (b->used > off) {
                iov[n].iov_base = b->data + off;
                iov[n].iov_len = b->used - off;
                total += iov[n].iov_len;
                n++;
            }
            off = 0;
            b = b->next;
        }
        if (total == 0) { rw_free_reply_chain(c); break; }
        ssize_t w = writev(c->fd, iov, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
            return -1;
        }
        c->net_out += (uint64_t)w;
        rw_consume_written(c, (size_t)w);
        if ((size_t)w < total) return 0;
    }
    return 0;
}

static void on_read(evutil_socket_t fd, short what, void *arg);

/* Stops reading a client whose output is over the backpressure limit. */
static void block_input_for_output(rw_client *c) {
    if (c->flags & RW_OUTPUT_BLOCKED) return;
    c->flags |= RW_OUTPUT_BLOCKED;
    if (c->rev) event_del(c->rev);
}

/* Its output drained: read again, and serve the commands left in its buffer before the next
 * sleep (not here: we may be inside the flush loop). */
static void unblock_input(rw_client *c) {
    c->flags &= ~(uint32_t)RW_OUTPUT_BLOCKED;
    if (c->rev) event_add(c->rev, NULL);
    if (c->flags & RW_RESUME_QUEUED) return;
    c->flags |= RW_RESUME_QUEUED;
    c->resume_next = c->server->resume_head;
    c->server->resume_head = c;
}

static void after_write(rw_client *c) {
    if ((c->flags & RW_OUTPUT_BLOCKED) && c->reply_bytes <= RW_OUTPUT_BACKPRESSURE / 2)
        unblock_input(c);
    if (c->reply_bytes == 0 || !c->reply_head) {
        rw_free_reply_chain(c);
        if (c->flags & RW_WRITE_INSTALLED) {
            event_del(c->wev);
            c->flags &= ~(uint32_t)RW_WRITE_INSTALLED;
        }
        if (c->flags & RW_CLOSE_AFTER_REPLY) rw_client_close_async(c);
    } else if (!(c->flags & RW_WRITE_INSTALLED)) {
        if (!c->wev) c->wev = event_new(c->server->base, c->fd, EV_WRITE | EV_PERSIST, on_write, c);
        event_add(c->wev, NULL);
        c->flags |= RW_WRITE_INSTALLED;
    }
}

static void on_write(evutil_socket_t fd, short what, void *arg) {
    (void)fd; (void)what;
    rw_client *c = arg;
    if (c->flags & RW_CLOSE_ASAP) return;
    if (write_chain(c) < 0) { rw_client_close_async(c); return; }
    c->last_io_ms = rw_now_ms();
    after_write(c);
}

void rw_flush_pending(rw_server *s) {
    while (s->pend_head) {
        rw_client *c = s->pend_head;
        pending_remove(c);
        if (c->flags & RW_CLOSE_ASAP) continue;
        /* A client already waiting for writability is served by its write event. */
        if (!(c->flags & RW_WRITE_INSTALLED)) {
            if (write_chain(c) < 0) { rw_client_close_async(c); continue; }
        }
        after_write(c);
    }
}

/* Drops the bytes the scanner consumed before the command in progress. */
static void compact_query_buffer(rw_client *c) {
    if (c->cmd_start > 0) {
        size_t keep = c->qb_len - c->cmd_start;
        if (keep) memmove(c->qbuf, c->qbuf + c->cmd_start, keep);
        size_t shift = c->cmd_start;
        for (int i = 0; i < c->argc; i++) c->arg_off[i] -= shift;
        c->qb_pos -= shift;
        c->last_start = c->last_start >= shift ? c->last_start - shift : 0;
        c->qb_len = keep;
        c->cmd_start = 0;
    }
}

static void on_read(evutil_socket_t fd, short what, void *arg) {
    (void)what;
    rw_client *c = arg;
    rw_server *s = c->server;
    if (c->flags & RW_CLOSE_ASAP) return;

    compact_query_buffer(c);
    size_t want = RW_READ_CHUNK;
    size_t big = rw_scan_bytes_wanted(c);
    if (big > want) want = big;
    if (c->qb_cap - c->qb_len < want) {
        size_t ncap = c->qb_len + want;
        if (ncap < c->qb_cap * 2 && big == 0) ncap = c->qb_cap * 2;
        unsigned char *nb = realloc(c->qbuf, ncap);
        if (!nb) { rw_client_close_async(c); return; }
        c->qbuf = nb;
        c->qb_cap = ncap;
    }
    ssize_t n = read(fd, c->qbuf + c->qb_len, c->qb_cap - c->qb_len);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        /* The peer is gone. Free now rather than before sleeping, so connections accepted in
         * this same iteration already see the slot free (maxclients). Nothing else is using
         * the client: we are in its own read handler. */
        rw_client_free(c);
        return;
    }
    c->qb_len += (size_t)n;
    c->net_in += (uint64_t)n;
    c->last_io_ms = loop_time_ms(s);

    long long limit = rw_current_limits.client_max_querybuf_len;
    if ((long long)c->qb_len > limit || (c->bulklen > 0 && c->bulklen > limit)) {
        fprintf(stderr, "Closing client that reached max query buffer length\n");
        rw_client_close_async(c);
        return;
    }
    if (!(c->flags & RW_INPUT_HELD)) s->cb.on_input(c);
    if (rw_client_output_full(c)) block_input_for_output(c);

    /* A client that consumed everything starts again at the front of its buffer; a very
     * large buffer (a huge argument) is given back now, smaller ones when the client idles
     * (rw_client_shrink_idle), so streaming 100 KB values does not malloc per read. */
    if (c->qb_pos == c->qb_len && c->reqtype == 0) {
        c->qb_pos = c->qb_len = c->cmd_start = 0;
        if (c->qb_cap > RW_QBUF_KEEP_MAX) rw_client_shrink_idle(c);
    }
}

void rw_client_shrink_idle(rw_client *c) {
    if (c->qb_pos != c->qb_len || c->reqtype != 0) return;
    c->qb_pos = c->qb_len = c->cmd_start = c->last_start = 0;
    if (c->qb_cap > RW_READ_CHUNK) {
        free(c->qbuf);
        c->qbuf = NULL;
        c->qb_cap = 0;
    }
    /* Argument arrays grown by a command with many arguments shrink back too. */
    if (c->arg_cap > 1024) {
        free(c->arg_off); free(c->argv); free(c->inline_lens);
        c->arg_off = NULL; c->argv = NULL; c->inline_lens = NULL;
        c->arg_cap = 0;
    }
}

void rw_client_resume_input(rw_client *c) {
    if (c->flags & (RW_CLOSE_ASAP | RW_INPUT_HELD)) return;
    if (c->qb_pos < c->qb_len) c->server->cb.on_input(c);
}

size_t rw_client_qbuf_len(const rw_client *c) { return c->qb_len - c->qb_pos; }
size_t rw_client_qbuf_cap(const rw_client *c) { return c->qb_cap; }

static void format_addr(const struct sockaddr_storage *ss, char *out, size_t outlen) {
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        port = ntohs(a->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        port = ntohs(a->sin6_port);
    }
    snprintf(out, outlen, "%s:%d", ip, port);
}

static void set_keepalive(int fd, int interval) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof yes);
    int idle = interval;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    int intvl = interval / 3 > 0 ? interval / 3 : 1;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
    int cnt = 3;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
}

static void accept_client(rw_server *s, int fd, int is_unix, const char *path) {
    rw_client *c = client_alloc(s, fd);
    if (!c) { close(fd); return; }
    if (is_unix) {
        c->flags |= RW_UNIX_SOCKET;
        snprintf(c->addr, sizeof c->addr, "%s:0", path);
        snprintf(c->laddr, sizeof c->laddr, "%s:0", path);
    } else {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (rw_current_limits.tcp_keepalive > 0) set_keepalive(fd, rw_current_limits.tcp_keepalive);
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) format_addr(&ss, c->addr, sizeof c->addr);
        sl = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) format_addr(&ss, c->laddr, sizeof c->laddr);
    }
    c->all_next = s->all_head;
    if (s->all_head) s->all_head->all_prev = c;
    s->all_head = c;
    s->nclients++;
    const char *err = s->cb.on_accept ? s->cb.on_accept(c) : NULL;
    if (err) {
        /* Best effort, like Redis: the socket is new, so the line fits its buffer. */
        char line[256];
        int n = snprintf(line, sizeof line, "-%s\r\n", err);
        if (write(fd, line, (size_t)n) < 0) { /* nothing to do: closing anyway */ }
        rw_client_free(c);
        return;
    }
    c->rev = event_new(s->base, fd, EV_READ | EV_PERSIST, on_read, c);
    event_add(c->rev, NULL);
}

static void on_accept_ready(evutil_socket_t lfd, short what, void *arg) {
    (void)what;
    rw_server *s = arg;
    int idx = -1;
    for (int i = 0; i < s->nlisten; i++) if (s->listen_fd[i] == lfd) idx = i;
    for (int i = 0; i < RW_MAX_ACCEPTS_PER_CALL; i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR) continue;
            return;
        }
        static char path[108];
        if (idx >= 0 && s->listen_unix[idx]) {
            struct sockaddr_un un;
            socklen_t sl = sizeof un;
            if (getsockname(lfd, (struct sockaddr *)&un, &sl) == 0) {
                strncpy(path, un.sun_path, sizeof path - 1);
            }
        }
        accept_client(s, fd, idx >= 0 && s->listen_unix[idx], path);
    }
}

static int add_listener(rw_server *s, int fd, int is_unix) {
    if (s->nlisten >= RW_MAX_LISTENERS) { close(fd); errno = EMFILE; return -1; }
    int i = s->nlisten++;
    s->listen_fd[i] = fd;
    s->listen_unix[i] = is_unix;
    s->listen_ev[i] = event_new(s->base, fd, EV_READ | EV_PERSIST, on_accept_ready, s);
    event_add(s->listen_ev[i], NULL);
    return fd;
}

int rw_listen_tcp(rw_server *s, const char *addr, int port, int backlog) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    const char *host = addr;
    if (host[0] == '-') host++;  /* "-::*" style optional address */
    if (strcmp(host, "*") == 0) host = "0.0.0.0";
    if (strcmp(host, "::*") == 0) host = "::";
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0 || !res) { errno = EINVAL; return -1; }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { freeaddrinfo(res); return -1; }
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (res->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof yes);
    if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, backlog) < 0) {
        int e = errno;
        close(fd);
        freeaddrinfo(res);
        errno = e;
        return -1;
    }
    freeaddrinfo(res);
    return add_listener(s, fd, 0);
}

int rw_listen_unix(rw_server *s, const char *path, int perm, int backlog) {
    struct sockaddr_un un;
    if (strlen(path) >= sizeof un.sun_path) { errno = ENAMETOOLONG; return -1; }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    strcpy(un.sun_path, path);
    unlink(path);
    if (bind(fd, (struct sockaddr *)&un, sizeof un) < 0 || listen(fd, backlog) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (perm) chmod(path, (mode_t)perm);
    return add_listener(s, fd, 1);
}

void rw_close_listeners(rw_server *s) {
    for (int i = 0; i < s->nlisten; i++) {
        event_free(s->listen_ev[i]);
        if (s->listen_unix[i]) {
            struct sockaddr_un un;
            socklen_t sl = sizeof un;
            if (getsockname(s->listen_fd[i], (struct sockaddr *)&un, &sl) == 0 && un.sun_path[0])
                unlink(un.sun_path);
        }
        close(s->listen_fd[i]);
    }
    s->nlisten = 0;
}

void rw_close_tcp_listeners(rw_server *s) {
    int kept = 0;
    for (int i = 0; i < s->nlisten; i++) {
        if (s->listen_unix[i]) {
            s->listen_fd[kept] = s->listen_fd[i];
            s->listen_ev[kept] = s->listen_ev[i];
            s->listen_unix[kept] = 1;
            kept++;
            continue;
        }
        event_free(s->listen_ev[i]);
        close(s->listen_fd[i]);
    }
    s->nlisten = kept;
}

/* ---- timers, signals, loop ---- */

static void on_cron(evutil_socket_t fd, short what, void *arg) {
    (void)fd; (void)what;
    rw_server *s = arg;
    if (s->cb.on_cron) s->cb.on_cron();
}

/* The wake-up timer has nothing to do itself: waking the loop runs before_sleep. */
static void on_wakeup(evutil_socket_t fd, short what, void *arg) {
    (void)fd; (void)what; (void)arg;
}

void rw_set_wakeup(rw_server *s, int64_t when_ms) {
    int64_t delay = when_ms - rw_now_ms();
    if (delay < 0) delay = 0;
    struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)((delay % 1000) * 1000)};
    event_add(s->wake_ev, &tv);
}

static void process_resume_list(rw_server *s);

/* Another thread asked the loop to go round (rw_wake): drain the counter; before_sleep does
 * the rest. */
static void on_notify(evutil_socket_t fd, short what, void *arg) {
    (void)what; (void)arg;
    uint64_t n;
    while (read(fd, &n, sizeof n) > 0) {}
}

void rw_wake(rw_server *s) {
    uint64_t one = 1;
    ssize_t r = write(s->notify_fd, &one, sizeof one);
    (void)r; /* EAGAIN means the counter is already non-zero: the loop will wake anyway */
}

void rw_process_events_nonblocking(rw_server *s) {
    process_resume_list(s);
    event_base_loop(s->base, EVLOOP_NONBLOCK);
    rw_flush_pending(s);
    process_close_list(s);
}

static void on_signal(evutil_socket_t sig, short what, void *arg) {
    (void)what;
    rw_server *s = arg;
    if (s->cb.on_signal) s->cb.on_signal((int)sig);
}

rw_server *rw_server_new(const rw_callbacks *cb) {
    rw_server *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    struct event_config *cfg = event_config_new();
    event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
    s->base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (!s->base) { free(s); return NULL; }
    s->cb = *cb;
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit (RLIMIT_FSIZE) makes write() fail with EFBIG instead of killing us. */
    signal(SIGXFSZ, SIG_IGN);
    s->cron_ms = 100;
    s->cron_ev = event_new(s->base, -1, EV_PERSIST, on_cron, s);
    struct timeval tv = {0, 100 * 1000};
    event_add(s->cron_ev, &tv);
    s->wake_ev = evtimer_new(s->base, on_wakeup, s);
    s->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->notify_fd < 0) { event_base_free(s->base); free(s); return NULL; }
    s->notify_ev = event_new(s->base, s->notify_fd, EV_READ | EV_PERSIST, on_notify, s);
    event_add(s->notify_ev, NULL);
    s->sigterm_ev = evsignal_new(s->base, SIGTERM, on_signal, s);
    s->sigint_ev = evsignal_new(s->base, SIGINT, on_signal, s);
    event_add(s->sigterm_ev, NULL);
    event_add(s->sigint_ev, NULL);
    return s;
}

void rw_set_cron_period(rw_server *s, int ms) {
    if (ms < 1) ms = 1;
    s->cron_ms = ms;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_del(s->cron_ev);
    event_add(s->cron_ev, &tv);
}

static void process_resume_list(rw_server *s) {
    while (s->resume_head) {
        rw_client *c = s->resume_head;
        s->resume_head = c->resume_next;
        c->resume_next = NULL;
        c->flags &= ~(uint32_t)RW_RESUME_QUEUED;
        if (c->flags & (RW_CLOSE_ASAP | RW_INPUT_HELD)) continue;
        if (c->qb_pos < c->qb_len) s->cb.on_input(c);
        if (rw_client_output_full(c)) block_input_for_output(c);
    }
}

void rw_server_run(rw_server *s) {
    while (!s->stop) {
        process_resume_list(s);
        if (s->cb.before_sleep) s->cb.before_sleep();
        rw_flush_pending(s);
        process_close_list(s);
        if (s->stop) break;
        event_base_loop(s->base, EVLOOP_ONCE);
    }
    /* Last chance for replies to the command that stopped us (e.g. SHUTDOWN errors). */
    rw_flush_pending(s);
}

void rw_server_stop(rw_server *s) { s->stop = 1; }

int rw_client_count(rw_server *s) { return s->nclients; }

rw_client *rw_client_next(rw_server *s, rw_client *prev) {
    return prev ? prev->all_next : s->all_head;
}

/* ---- clients without a connection ---- */

rw_client *rw_client_new_fake(rw_server *s) {
    rw_client *c = client_alloc(s, -1);
    if (c) c->flags = RW_REPLY_OFF;
    return c;
}

void rw_client_free_fake(rw_client *c) { client_release(c); }

int rw_client_feed(rw_client *c, const void *p, size_t n) {
    compact_query_buffer(c);
    if (c->qb_len + n > c->qb_cap) {
        size_t cap = c->qb_cap ? c->qb_cap : 64 * 1024;
        while (cap < c->qb_len + n) cap *= 2;
        unsigned char *q = realloc(c->qbuf, cap);
        if (!q) return -1;
        c->qbuf = q;
        c->qb_cap = cap;
    }
    memcpy(c->qbuf + c->qb_len, p, n);
    c->qb_len += n;
    return 0;
}

size_t rw_client_unconsumed(const rw_client *c) { return c->qb_len - c->cmd_start; }

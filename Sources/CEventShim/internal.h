/* Private declarations shared by the C files of CEventShim. Not visible to Swift. */
#ifndef RW_INTERNAL_H
#define RW_INTERNAL_H
#include "rw_net.h"
#include <event2/event.h>

#define RW_BLOCK_SIZE (16 * 1024)

/** Flags under which a client's input is not processed (it is still read). */
#define RW_INPUT_HELD (RW_PAUSED_INPUT | RW_BLOCKED)

/** A reply buffer block: replies are appended to the tail block; the chain is written with
 *  one writev. Blocks of RW_BLOCK_SIZE are recycled through a small free list. */
struct rw_block {
    struct rw_block *next;
    size_t used, size;
    unsigned char data[];
};

#define RW_MAX_LISTENERS 16

struct rw_server {
    struct event_base *base;
    rw_callbacks cb;
    struct event *listen_ev[RW_MAX_LISTENERS];
    int listen_fd[RW_MAX_LISTENERS];
    int listen_unix[RW_MAX_LISTENERS];
    int nlisten;
    struct event *cron_ev, *sigterm_ev, *sigint_ev;
    struct event *wake_ev;  /* one-shot timer: rw_set_wakeup */
    struct event *notify_ev; /* eventfd readable: rw_wake from another thread */
    int notify_fd;
    int cron_ms;
    int stop;
    int nclients;
    uint64_t next_id;
    rw_client *pend_head;   /* clients with output to write before sleeping */
    rw_client *close_head;  /* clients to close before sleeping */
    rw_client *all_head;
    rw_client *resume_head; /* clients whose output drained: continue their input */
};

void rw_pending_add(rw_client *c);
void rw_free_reply_chain(rw_client *c);
void rw_client_free(rw_client *c);
void rw_flush_pending(rw_server *s);
/** Frees the reply blocks fully written (n bytes from the head). */
void rw_consume_written(rw_client *c, size_t n);
/** Bytes the command being scanned still needs, when it carries a big bulk argument. */
size_t rw_scan_bytes_wanted(const rw_client *c);

#endif

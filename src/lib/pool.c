/*
 * pool.c - worker processes that speak units of sentences (see pool.h).
 *
 * Wire format, worker to parent, native byte order: records of a
 * pool_record header and `bytes` of payload. PCM records carry samples of
 * one sentence; DONE ends a sentence; FAIL carries an error message and ends
 * the worker. The parent hands a sentence on only once its DONE has arrived,
 * so a unit that dies half-way is retried without repeating audio.
 */
/* MAP_ANONYMOUS and madvise(MADV_DONTFORK) are Linux/BSD, not POSIX. */
#define _DEFAULT_SOURCE

#include "pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "speech.h"

/* Text per unit. Units are cut by the text alone, never by the number of
 * workers, so the output does not depend on -j. About 2 KB is 25 s of speech:
 * large enough that the 7 ms a fresh child costs is lost in it, small enough
 * to keep two workers busy on a short article. */
#define POOL_UNIT_BYTES 2048
/* PCM the parent may hold for units ahead of the one being written. Past it,
 * workers block on their pipes until the writer catches up. */
#define POOL_AHEAD_BYTES ((size_t)16 << 20)
#define POOL_READ_BYTES ((size_t)1 << 16)
/* A worker silent this long is taken as hung (a sentence is capped far
 * below this much synthesis time). */
#define POOL_HANG_SECONDS 60.0
#define POOL_ATTEMPTS 2

enum { POOL_REC_PCM = 1, POOL_REC_DONE = 2, POOL_REC_FAIL = 3 };

typedef struct pool_record {
    uint32_t kind;
    uint32_t sentence;
    uint32_t bytes;
} pool_record;

typedef struct pool_unit {
    size_t first;  /* first sentence */
    size_t count;
} pool_unit;

typedef struct pool_slot {
    pid_t pid;            /* 0 when free */
    int fd;               /* read end, -1 after EOF */
    size_t unit;
    int attempt;          /* 1 for the first try */
    unsigned char *buf;   /* received, not yet handed on */
    size_t len, cap, pos;
    bool exited;
    int wstatus;
    double last_output;
} pool_slot;

struct pool {
    speech *sp;
    unsigned jobs;
    unsigned retries;
};

static double pool_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

aloud_status pool_create(const aloud_voice *voice, unsigned jobs, pool **out, aloud_error *err)
{
    *out = NULL;
    pool *pl = calloc(1, sizeof *pl);
    if (!pl)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    if (jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (unsigned)n : 1;
    }
    pl->jobs = jobs;
    aloud_status st = speech_create(voice, &pl->sp, err);
    if (st != ALOUD_OK) {
        free(pl);
        return st;
    }
    *out = pl;
    return ALOUD_OK;
}

unsigned pool_retries(const pool *pl)
{
    return pl->retries;
}

unsigned pool_sample_rate(const pool *pl)
{
    return speech_sample_rate(pl->sp);
}

void pool_free(pool *pl)
{
    if (!pl)
        return;
    speech_free(pl->sp);
    free(pl);
}

/* ------------------------------------------------------------ the worker */

/* Buffered record writer of a worker; any write failure ends the worker. */
typedef struct pool_out {
    int fd;
    size_t sentence;
    size_t len;
    unsigned char buf[1 << 16];
} pool_out;

static void pool_out_flush(pool_out *po)
{
    size_t done = 0;
    while (done < po->len) {
        ssize_t n = write(po->fd, po->buf + done, po->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(4); /* the parent is gone or gave up on us */
        done += (size_t)n;
    }
    po->len = 0;
}

static void pool_out_record(pool_out *po, uint32_t kind, const void *data, size_t bytes)
{
    pool_record rec = {kind, (uint32_t)po->sentence, (uint32_t)bytes};
    if (po->len + sizeof rec + bytes > sizeof po->buf)
        pool_out_flush(po);
    if (sizeof rec + bytes > sizeof po->buf) {
        /* Larger than the buffer: header, then the payload straight through. */
        memcpy(po->buf, &rec, sizeof rec);
        po->len = sizeof rec;
        pool_out_flush(po);
        const unsigned char *p = data;
        while (bytes > 0) {
            size_t n = bytes < sizeof po->buf ? bytes : sizeof po->buf;
            memcpy(po->buf, p, n);
            po->len = n;
            pool_out_flush(po);
            p += n;
            bytes -= n;
        }
        return;
    }
    memcpy(po->buf + po->len, &rec, sizeof rec);
    if (bytes > 0) /* DONE records have no payload, and no pointer to one */
        memcpy(po->buf + po->len + sizeof rec, data, bytes);
    po->len += sizeof rec + bytes;
}

static int pool_out_pcm(void *ctx, const int16_t *pcm, size_t frames)
{
    pool_out_record(ctx, POOL_REC_PCM, pcm, frames * sizeof *pcm);
    return 0;
}

/* The child: speaks one unit into `fd` and exits without returning. */
static void pool_worker(pool *pl, const aloud_doc *doc, pool_unit unit, int fd)
{
    static pool_out po;
    po.fd = fd;
    po.len = 0;
    for (size_t s = unit.first; s < unit.first + unit.count; s++) {
        aloud_error err = {0};
        po.sentence = s;
        const aloud_sentence *sen = aloud_doc_sentence(doc, s);
        aloud_status st = speech_say(pl->sp, sen->spoken ? sen->spoken : sen->text, pool_out_pcm,
                                     &po, &err);
        if (st != ALOUD_OK) {
            /* The status first, so the parent can tell bad input from a broken engine. */
            char payload[sizeof(uint32_t) + sizeof err.message];
            uint32_t code = (uint32_t)st;
            size_t len = strlen(err.message);
            memcpy(payload, &code, sizeof code);
            memcpy(payload + sizeof code, err.message, len);
            pool_out_record(&po, POOL_REC_FAIL, payload, sizeof code + len);
            pool_out_flush(&po);
            _exit(3);
        }
        pool_out_record(&po, POOL_REC_DONE, NULL, 0);
    }
    pool_out_flush(&po);
    /* No speech_free(): espeak_ng_Terminate() in a forked child would wait for
     * the parent's background thread, which the child does not have. */
    _exit(0);
}

/* ------------------------------------------------------------ the parent */

typedef struct pool_run_state {
    pool *pl;
    const aloud_doc *doc;
    const pool_sink *sink;
    pool_unit *units;
    size_t unit_count;
    pool_slot *slots;
    size_t front;           /* the unit being handed on */
    size_t next;            /* the next unit to start */
    size_t front_done;      /* sentences of the front unit already handed on */
    aloud_status fail_status; /* from a FAIL record, ALOUD_OK for none */
    char fail_message[256];
} pool_run_state;

/* Cuts the document into units of about POOL_UNIT_BYTES of text. */
static pool_unit *pool_units(const aloud_doc *doc, size_t *count)
{
    size_t n = aloud_doc_sentence_count(doc);
    pool_unit *units = malloc((n ? n : 1) * sizeof *units);
    if (!units)
        return NULL;
    size_t u = 0, bytes = 0;
    for (size_t s = 0; s < n; s++) {
        if (bytes == 0)
            units[u] = (pool_unit){s, 0};
        units[u].count++;
        bytes += aloud_doc_sentence(doc, s)->length;
        if (bytes >= POOL_UNIT_BYTES) {
            u++;
            bytes = 0;
        }
    }
    *count = bytes > 0 ? u + 1 : u;
    return units;
}

/* Starts a worker on `unit`, from its sentence `skip` on. */
static aloud_status pool_spawn(pool_run_state *rs, pool_slot *slot, size_t unit, size_t skip,
                               int attempt, aloud_error *err)
{
    int fds[2];
    if (pipe(fds) != 0)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "cannot create a pipe: %s",
                               strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "cannot start a worker: %s",
                               strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        /* The parent decides what a signal means; a worker just stops. */
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        pool_unit part = {rs->units[unit].first + skip, rs->units[unit].count - skip};
        pool_worker(rs->pl, rs->doc, part, fds[1]);
    }
    close(fds[1]);
    slot->pid = pid;
    slot->fd = fds[0];
    slot->unit = unit;
    slot->attempt = attempt;
    slot->len = slot->pos = 0;
    slot->exited = false;
    slot->wstatus = 0;
    slot->last_output = pool_now();
    return ALOUD_OK;
}

/* Stops a worker (if running) and frees its slot, keeping its buffer. */
static void pool_reap(pool_slot *slot, bool kill_it)
{
    if (slot->pid > 0 && !slot->exited) {
        if (kill_it)
            kill(slot->pid, SIGKILL);
        while (waitpid(slot->pid, &slot->wstatus, 0) < 0 && errno == EINTR)
            ;
        slot->exited = true;
    }
    if (slot->fd >= 0)
        close(slot->fd);
    slot->fd = -1;
}

static void pool_release(pool_slot *slot)
{
    pool_reap(slot, true);
    slot->pid = 0;
    slot->len = slot->pos = 0;
}

/*
 * Receive buffers live outside the heap and are not shared with children.
 * After every fork the parent's writable pages become copy-on-write; the
 * parent writes these buffers constantly, and each first write after a fork
 * cost a page copy and a TLB shootdown: with ordinary malloc'd buffers that
 * was a third of the parent's time (perf: do_wp_page under pipe reads).
 */
static unsigned char *pool_buffer_alloc(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    madvise(p, size, MADV_DONTFORK);
    return p;
}

static void pool_buffer_free(unsigned char *buf, size_t size)
{
    if (buf)
        munmap(buf, size);
}

/* Reads what a worker has written; on EOF reaps it. */
static aloud_status pool_read(pool_slot *slot, aloud_error *err)
{
    if (slot->cap - slot->len < POOL_READ_BYTES) {
        if (slot->pos > 0) {
            memmove(slot->buf, slot->buf + slot->pos, slot->len - slot->pos);
            slot->len -= slot->pos;
            slot->pos = 0;
        }
        if (slot->cap - slot->len < POOL_READ_BYTES) {
            size_t cap = slot->cap ? slot->cap * 2 : POOL_READ_BYTES * 4;
            unsigned char *bigger = pool_buffer_alloc(cap);
            if (!bigger)
                return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
            if (slot->len > 0)
                memcpy(bigger, slot->buf, slot->len);
            pool_buffer_free(slot->buf, slot->cap);
            slot->buf = bigger;
            slot->cap = cap;
        }
    }
    ssize_t n = read(slot->fd, slot->buf + slot->len, slot->cap - slot->len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return ALOUD_OK;
    if (n > 0) {
        slot->len += (size_t)n;
        slot->last_output = pool_now();
        return ALOUD_OK;
    }
    pool_reap(slot, false);
    return ALOUD_OK;
}

/* Finds the DONE record of the sentence that starts at `from`; 0 if none yet. */
static size_t pool_sentence_end(const pool_slot *slot, size_t from, uint32_t *kind)
{
    size_t at = from;
    while (slot->len - at >= sizeof(pool_record)) {
        pool_record rec;
        memcpy(&rec, slot->buf + at, sizeof rec);
        if (slot->len - at - sizeof rec < rec.bytes)
            return 0;
        at += sizeof rec + rec.bytes;
        if (rec.kind != POOL_REC_PCM) {
            *kind = rec.kind;
            return at;
        }
    }
    return 0;
}

/* Hands on every complete sentence of the front unit that has arrived. */
static aloud_status pool_deliver(pool_run_state *rs, pool_slot *slot, aloud_error *err)
{
    uint32_t kind = 0;
    size_t end;
    while ((end = pool_sentence_end(slot, slot->pos, &kind)) != 0) {
        pool_record rec;
        if (kind == POOL_REC_FAIL) {
            size_t at = slot->pos;
            for (;;) {
                memcpy(&rec, slot->buf + at, sizeof rec);
                if (rec.kind == POOL_REC_FAIL)
                    break;
                at += sizeof rec + rec.bytes;
            }
            uint32_t code = ALOUD_ERR_ENGINE;
            size_t n = 0;
            if (rec.bytes >= sizeof code) {
                memcpy(&code, slot->buf + at + sizeof rec, sizeof code);
                n = rec.bytes - sizeof code;
                if (n > sizeof rs->fail_message - 1)
                    n = sizeof rs->fail_message - 1;
                memcpy(rs->fail_message, slot->buf + at + sizeof rec + sizeof code, n);
            }
            rs->fail_message[n] = '\0';
            rs->fail_status = code == ALOUD_ERR_LIMIT ? ALOUD_ERR_LIMIT : ALOUD_ERR_ENGINE;
            slot->pos = slot->len; /* the worker stops after a FAIL */
            return ALOUD_OK;
        }
        size_t sentence = rs->units[slot->unit].first + rs->front_done;
        /* A retried unit repeats sentences already handed on: skip them. */
        size_t at = slot->pos;
        memcpy(&rec, slot->buf + at, sizeof rec);
        bool fresh = rec.sentence == sentence;
        while (at < end) {
            memcpy(&rec, slot->buf + at, sizeof rec);
            at += sizeof rec;
            if (fresh && rec.kind == POOL_REC_PCM && rec.bytes > 0) {
                /* malloc'd buffer; headers and samples are even-sized, so samples are
                 * 2-byte aligned. */
                int16_t *pcm = (int16_t *)(void *)(slot->buf + at);
                if (rs->sink->pcm(rs->sink->ctx, sentence, pcm, rec.bytes / sizeof *pcm) != 0)
                    return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cancelled");
            }
            at += rec.bytes;
        }
        slot->pos = end;
        if (fresh) {
            rs->front_done++;
            if (rs->sink->done(rs->sink->ctx, sentence) != 0)
                return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cancelled");
        }
    }
    return ALOUD_OK;
}

static size_t pool_ahead_bytes(const pool_run_state *rs)
{
    size_t total = 0;
    for (unsigned i = 0; i < rs->pl->jobs; i++)
        if (rs->slots[i].pid > 0 && rs->slots[i].unit != rs->front)
            total += rs->slots[i].len - rs->slots[i].pos;
    return total;
}

static pool_slot *pool_slot_of(pool_run_state *rs, size_t unit)
{
    for (unsigned i = 0; i < rs->pl->jobs; i++)
        if (rs->slots[i].pid > 0 && rs->slots[i].unit == unit)
            return &rs->slots[i];
    return NULL;
}

/* The error for the front unit's first sentence not handed on. */
static aloud_status pool_sentence_error(pool_run_state *rs, const pool_slot *slot, size_t sentence,
                                        aloud_error *err)
{
    const aloud_sentence *sen = aloud_doc_sentence(rs->doc, sentence);
    if (rs->fail_status == ALOUD_ERR_LIMIT)
        return aloud_error_set(err, ALOUD_ERR_LIMIT, sen->line, sen->column, "%s",
                               rs->fail_message);
    if (rs->fail_status != ALOUD_OK)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, sen->line, sen->column,
                               "cannot speak this sentence: %s", rs->fail_message);
    if (WIFSIGNALED(slot->wstatus))
        return aloud_error_set(err, ALOUD_ERR_ENGINE, sen->line, sen->column,
                               "the speech engine crashed on this sentence twice (signal %d)",
                               WTERMSIG(slot->wstatus));
    return aloud_error_set(err, ALOUD_ERR_ENGINE, sen->line, sen->column,
                           "the speech engine failed on this sentence twice");
}

/*
 * The front unit's worker has exited: move on, retry it, skip the sentence
 * it failed on, or give up. A sentence that makes too much audio fails the
 * same way every time, so it is not retried.
 */
static aloud_status pool_front_finished(pool_run_state *rs, pool_slot *slot, aloud_error *err)
{
    const pool_unit *u = &rs->units[rs->front];
    /* Every sentence arrived whole: how the worker ended no longer matters
     * (one killed after its last DONE record still delivered everything). */
    if (rs->front_done == u->count) {
        pool_release(slot);
        rs->front++;
        rs->front_done = 0;
        return ALOUD_OK;
    }
    size_t sentence = u->first + rs->front_done;
    bool retry = slot->attempt < POOL_ATTEMPTS && rs->fail_status != ALOUD_ERR_LIMIT;
    /* A retry speaks the unit from its start, so that what was already handed
     * on is heard exactly as a clean run would have it; the repeats are dropped. */
    size_t skip = 0;
    if (!retry) {
        aloud_error why;
        aloud_status st = pool_sentence_error(rs, slot, sentence, &why);
        if (!rs->sink->skip_bad) {
            if (err)
                *err = why;
            return st;
        }
        if (rs->sink->skipped)
            rs->sink->skipped(rs->sink->ctx, sentence, &why);
        rs->front_done++;
        if (rs->sink->done(rs->sink->ctx, sentence) != 0)
            return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cancelled");
        skip = rs->front_done;
    }
    pool_release(slot);
    rs->fail_status = ALOUD_OK;
    rs->fail_message[0] = '\0';
    if (skip == u->count) {
        rs->front++;
        rs->front_done = 0;
        return ALOUD_OK;
    }
    if (retry)
        rs->pl->retries++;
    /* A fresh child for the rest of the unit; a skip starts a new first attempt. */
    return pool_spawn(rs, slot, rs->front, skip, retry ? slot->attempt + 1 : 1, err);
}

/* One round: start workers, wait for output, hand on what is in order. */
static aloud_status pool_step(pool_run_state *rs, aloud_error *err)
{
    unsigned jobs = rs->pl->jobs;
    aloud_status st;
    for (unsigned i = 0; i < jobs && rs->next < rs->unit_count; i++) {
        if (rs->slots[i].pid == 0 && pool_ahead_bytes(rs) < POOL_AHEAD_BYTES) {
            st = pool_spawn(rs, &rs->slots[i], rs->next, 0, 1, err);
            if (st != ALOUD_OK)
                return st;
            rs->next++;
        }
    }

    struct pollfd fds[64];
    pool_slot *owners[64];
    nfds_t n = 0;
    bool room = pool_ahead_bytes(rs) < POOL_AHEAD_BYTES;
    double now = pool_now();
    for (unsigned i = 0; i < jobs && n < 64; i++) {
        pool_slot *slot = &rs->slots[i];
        if (slot->pid <= 0 || slot->fd < 0)
            continue;
        if (slot->unit == rs->front || room) {
            fds[n] = (struct pollfd){slot->fd, POLLIN, 0};
            owners[n++] = slot;
        } else {
            slot->last_output = now; /* blocked by us, not hung */
        }
    }
    if (n > 0 && poll(fds, n, 500) < 0 && errno != EINTR)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "poll: %s", strerror(errno));
    now = pool_now();
    for (nfds_t i = 0; i < n; i++) {
        if (fds[i].revents) {
            st = pool_read(owners[i], err);
            if (st != ALOUD_OK)
                return st;
        } else if (now - owners[i]->last_output > POOL_HANG_SECONDS) {
            pool_reap(owners[i], true);
        }
    }

    pool_slot *front = pool_slot_of(rs, rs->front);
    if (!front)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "internal error: no worker for unit");
    st = pool_deliver(rs, front, err);
    if (st != ALOUD_OK)
        return st;
    if (front->fd < 0 && front->exited)
        return pool_front_finished(rs, front, err);
    return ALOUD_OK;
}

aloud_status pool_run(pool *pl, const aloud_doc *doc, const pool_sink *sink, aloud_error *err)
{
    if (pl->jobs > 64)
        pl->jobs = 64;
    pool_run_state rs = {pl, doc, sink, NULL, 0, NULL, 0, 0, 0, ALOUD_OK, ""};
    rs.units = pool_units(doc, &rs.unit_count);
    rs.slots = calloc(pl->jobs, sizeof *rs.slots);
    aloud_status st = ALOUD_OK;
    if (!rs.units || !rs.slots)
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    for (unsigned i = 0; rs.slots && i < pl->jobs; i++)
        rs.slots[i].fd = -1;
    /* A worker that dies must not take the parent with it through SIGPIPE. */
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    while (st == ALOUD_OK && rs.front < rs.unit_count) {
        if (sink->stop && *sink->stop)
            st = aloud_error_set(err, ALOUD_ERR_CANCELLED, 0, 0, "stopped by a signal");
        else
            st = pool_step(&rs, err);
    }
    signal(SIGPIPE, old_pipe);
    for (unsigned i = 0; rs.slots && i < pl->jobs; i++) {
        if (rs.slots[i].pid > 0)
            pool_release(&rs.slots[i]);
        pool_buffer_free(rs.slots[i].buf, rs.slots[i].cap);
    }
    free(rs.slots);
    free(rs.units);
    return st;
}

/*
 * pool.c - worker processes that speak units of sentences (see pool.h).
 *
 * Wire format, worker to parent, native byte order: records of a
 * pool_record header and `bytes` of payload. PCM records carry samples of
 * one sentence; DONE ends a sentence; FAIL carries an error message and ends
 * the worker. The parent hands a sentence on only once its DONE has arrived,
 * so a unit that dies half-way is retried without repeating audio.
 *
 * Workers are not forked by the parent but by a spawner: a child forked once,
 * at the start of a run, while the parent is still as pool_create() left it.
 * The parent then writes its buffers and runs the encoder, and a fork of it
 * after every unit would make each of those pages copy-on-write again (perf:
 * copy-on-write faults and their TLB shootdowns were a fifth of the parent's
 * time). The spawner does nothing but fork, so it stays pristine and cheap
 * to copy. It passes each worker's pipe back over a socket, and reaps
 * workers when asked. It keeps one worker forked ahead, waiting to be told
 * its unit: a unit then starts at once, and the fork (a millisecond or more)
 * happens while the other workers speak, not while a core waits.
 */
/* MAP_ANONYMOUS, MADV_POPULATE_WRITE and F_SETPIPE_SZ are Linux, not POSIX. */
#define _GNU_SOURCE

#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "speech.h"

/* Text per unit. Units are cut by the text alone, never by the number of
 * workers, so the output does not depend on -j. 6 KB is about 6 minutes of
 * speech (15 MB of PCM) and 0.3 s of synthesis: a fresh child costs about
 * 5 ms of CPU (fork, page faults, lazy symbol binding, exit, a cold first
 * sentence), so larger units are cheaper, but a unit that finishes ahead of
 * its turn waits in the parent's memory. The units near the end of the text
 * are cut smaller (pool_units) to keep the workers busy to the end. */
#define POOL_UNIT_BYTES 6144
#define POOL_UNIT_MIN_BYTES 384
/* PCM the parent may hold for units ahead of the one being written: more
 * than a whole unit, so the worker of the next one need not wait. Past it,
 * workers block on their pipes until the writer catches up. */
#define POOL_AHEAD_BYTES ((size_t)24 << 20)
/* Received audio waits in chunks shared by all slots (pool_chunk). */
#define POOL_CHUNK_BYTES ((size_t)2 << 20)
/* Pipe capacity asked for (Linux's unprivileged maximum), and PCM handed on
 * per round before the pipes are read again. */
#define POOL_PIPE_BYTES (1 << 20)
#define POOL_DELIVER_BYTES ((size_t)1 << 18)
/* A worker silent this long is taken as hung (a sentence is capped far
 * below this much synthesis time). */
#define POOL_HANG_SECONDS 60.0
/* The parent looks at least every half second; a longer gap between its
 * rounds means it did not run (stopped with ^Z, the machine suspended),
 * and the workers with it most likely: the gap does not count as silence. */
#define POOL_GAP_SECONDS 5.0
#define POOL_ATTEMPTS 2
/* Spawners a run may start: one, and a few replacements if one is killed. */
#define POOL_SPAWNER_STARTS 4
#define POOL_MAX_JOBS 64
#define POOL_MAX_SLOTS (POOL_MAX_JOBS + 2)

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

/*
 * A piece of received audio. What a worker sends waits in a chain of chunks
 * until it is handed on; a chunk handed on in full goes back to a free list
 * shared by all slots. So the memory held is what is waiting, not the most
 * each slot ever held, and reused chunks are already paged in. A chunk is
 * one huge page where the kernel allows it: one page fault instead of 512.
 */
typedef struct pool_chunk {
    struct pool_chunk *next;
    unsigned char *data;  /* POOL_CHUNK_BYTES, 2-byte aligned like every record */
} pool_chunk;

typedef struct pool_slot {
    pid_t pid;            /* 0 when free */
    int fd;               /* read end, -1 after EOF */
    size_t unit;
    int attempt;          /* 1 for the first try */
    pool_chunk *head;     /* received, not yet handed on, oldest first */
    pool_chunk *tail;
    /* Offsets in what the worker sent: head->data[0] is at `base`. */
    uint64_t base;
    uint64_t pos;         /* handed on up to here */
    uint64_t len;         /* received up to here */
    uint64_t scan;        /* from pos to here: whole PCM records, already looked at */
    bool exited;
    bool orphan;          /* its spawner is gone: nobody can report how it ended */
    int wstatus;
    double last_output;
} pool_slot;

/* The voice of a language other than the document's, for the units of
 * paragraphs in it. */
typedef struct pool_voice {
    const char *lang;                 /* a paragraph's, owned by the doc */
    char espeak[SPEECH_NAME_MAX + 1]; /* "" when espeak-ng has none: the document's voice */
} pool_voice;

/* Most languages a run speaks beside the document's; more keep its voice. */
#define POOL_MAX_VOICES 16

struct pool {
    speech *sp;
    unsigned jobs;
    unsigned retries;
    pool_voice voices[POOL_MAX_VOICES]; /* of the run under way */
    size_t voice_count;
};

/* The language of sentence `s` (its paragraph's), NULL when not set. */
static const char *pool_sentence_lang(const aloud_doc *doc, size_t s)
{
    size_t lo = 0, hi = aloud_doc_paragraph_count(doc);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (aloud_doc_paragraph(doc, mid)->first_sentence <= s)
            lo = mid;
        else
            hi = mid;
    }
    const aloud_paragraph *para = aloud_doc_paragraph(doc, lo);
    return para ? para->lang : NULL;
}

static bool pool_same_lang(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The voice for sentences in `lang`: NULL for the document's own. */
static const char *pool_voice_for(const pool *pl, const aloud_doc *doc, const char *lang)
{
    if (pool_same_lang(lang, aloud_doc_lang(doc)))
        return NULL;
    for (size_t i = 0; i < pl->voice_count; i++) {
        if (pool_same_lang(pl->voices[i].lang, lang))
            return pl->voices[i].espeak[0] ? pl->voices[i].espeak : NULL;
    }
    return NULL;
}

/* Finds, in this process before any worker is forked, the voice of every
 * paragraph language other than the document's. */
static void pool_find_voices(pool *pl, const aloud_doc *doc)
{
    const char *main_lang = aloud_doc_lang(doc);
    pl->voice_count = 0;
    for (size_t p = 0; p < aloud_doc_paragraph_count(doc); p++) {
        const char *lang = aloud_doc_paragraph(doc, p)->lang;
        bool known = !lang || pool_same_lang(lang, main_lang);
        for (size_t i = 0; i < pl->voice_count && !known; i++)
            known = pool_same_lang(pl->voices[i].lang, lang);
        if (known || pl->voice_count == POOL_MAX_VOICES)
            continue;
        pool_voice *v = &pl->voices[pl->voice_count++];
        v->lang = lang;
        if (aloud_voice_for_lang(lang, v->espeak, sizeof v->espeak, NULL) != ALOUD_OK)
            v->espeak[0] = '\0';
    }
}

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

/*
 * Buffered record writer of a worker; any write failure ends the worker.
 * The parent wakes up for every write, so the buffer is large; it is shared
 * memory set up before the spawner starts, so a fresh worker maps its pages
 * with one call instead of taking a fault on each of them.
 */
#define POOL_STAGE_BYTES ((size_t)1 << 18)

typedef struct pool_out {
    int fd;
    size_t sentence;
    size_t len;
    size_t pcm_at;        /* the PCM record still growing at the end of `buf`, or SIZE_MAX */
    unsigned char *buf;   /* POOL_STAGE_BYTES */
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
    po->pcm_at = SIZE_MAX;
}

static void pool_out_record(pool_out *po, uint32_t kind, const void *data, size_t bytes)
{
    pool_record rec = {kind, (uint32_t)po->sentence, (uint32_t)bytes};
    if (po->len + sizeof rec + bytes > POOL_STAGE_BYTES)
        pool_out_flush(po);
    if (sizeof rec + bytes > POOL_STAGE_BYTES) {
        /* Larger than the buffer: header, then the payload straight through. */
        memcpy(po->buf, &rec, sizeof rec);
        po->len = sizeof rec;
        pool_out_flush(po);
        const unsigned char *p = data;
        while (bytes > 0) {
            size_t n = bytes < POOL_STAGE_BYTES ? bytes : POOL_STAGE_BYTES;
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
    po->pcm_at = SIZE_MAX;
}

/* espeak-ng hands over about 1000 samples at a time; they go out as one record
 * per buffer-full, so the parent has fewer and larger pieces to pass on. */
static int pool_out_pcm(void *ctx, const int16_t *pcm, size_t frames)
{
    pool_out *po = ctx;
    size_t bytes = frames * sizeof *pcm;
    if (po->pcm_at != SIZE_MAX && po->len + bytes <= POOL_STAGE_BYTES) {
        pool_record rec;
        memcpy(&rec, po->buf + po->pcm_at, sizeof rec);
        if (rec.sentence == (uint32_t)po->sentence) {
            rec.bytes += (uint32_t)bytes;
            memcpy(po->buf + po->pcm_at, &rec, sizeof rec);
            memcpy(po->buf + po->len, pcm, bytes);
            po->len += bytes;
            return 0;
        }
    }
    pool_out_record(po, POOL_REC_PCM, pcm, bytes);
    if (sizeof(pool_record) + bytes <= POOL_STAGE_BYTES)
        po->pcm_at = po->len - sizeof(pool_record) - bytes;
    return 0;
}

/* The child: speaks one unit into `fd` through `stage` and exits without returning. */
static void pool_worker(pool *pl, const aloud_doc *doc, pool_unit unit, unsigned char *stage,
                        int fd)
{
#ifdef MADV_POPULATE_WRITE
    madvise(stage, POOL_STAGE_BYTES, MADV_POPULATE_WRITE); /* Linux 5.14; else faults */
#endif
    pool_out po = {fd, 0, 0, SIZE_MAX, stage};
    /* A unit is in one language (pool_units); another than the document's
     * is spoken with its own voice, set in this fresh child only. */
    const char *voice = pool_voice_for(pl, doc, pool_sentence_lang(doc, unit.first));
    aloud_error verr = {0};
    if (voice && speech_use_voice(pl->sp, voice, &verr) != ALOUD_OK) {
        char payload[sizeof(uint32_t) + sizeof verr.message];
        uint32_t code = (uint32_t)ALOUD_ERR_VOICE;
        size_t len = strlen(verr.message);
        po.sentence = unit.first;
        memcpy(payload, &code, sizeof code);
        memcpy(payload + sizeof code, verr.message, len);
        pool_out_record(&po, POOL_REC_FAIL, payload, sizeof code + len);
        pool_out_flush(&po);
        _exit(3);
    }
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
    pool_slot *slots;       /* units in flight: spoken, being spoken or waiting their turn */
    unsigned slot_count;
    unsigned char *stages;  /* a worker's staging buffer per slot, shared */
    bool ready;             /* the front unit has more to hand on right away */
    size_t front;           /* the unit being handed on */
    size_t next;            /* the next unit to start */
    size_t front_done;      /* sentences of the front unit already handed on */
    aloud_status fail_status; /* from a FAIL record, ALOUD_OK for none */
    char fail_message[256];
    pid_t spawner;          /* 0 when there is none */
    int control;            /* our end of the spawner's socket */
    unsigned spawner_starts;
    pool_chunk *free_chunks;
    double last_round;      /* when pool_step last looked at the clock */
} pool_run_state;

/*
 * Cuts the document into units of about POOL_UNIT_BYTES of text, smaller
 * towards the end (a quarter of what is left, down to POOL_UNIT_MIN_BYTES):
 * the render ends when its last unit does, so the last ones should be
 * short. The cut depends on the text alone.
 */
static pool_unit *pool_units(const aloud_doc *doc, size_t *count)
{
    size_t n = aloud_doc_sentence_count(doc);
    pool_unit *units = malloc((n ? n : 1) * sizeof *units);
    if (!units)
        return NULL;
    size_t left = 0;
    for (size_t s = 0; s < n; s++)
        left += aloud_doc_sentence(doc, s)->length;
    size_t u = 0, bytes = 0, target = 0;
    for (size_t s = 0; s < n; s++) {
        /* A unit never mixes languages: each is spoken with one voice. */
        if (bytes > 0 &&
            !pool_same_lang(pool_sentence_lang(doc, s), pool_sentence_lang(doc, s - 1))) {
            u++;
            bytes = 0;
        }
        if (bytes == 0) {
            units[u] = (pool_unit){s, 0};
            target = left / 4;
            if (target > POOL_UNIT_BYTES)
                target = POOL_UNIT_BYTES;
            if (target < POOL_UNIT_MIN_BYTES)
                target = POOL_UNIT_MIN_BYTES;
        }
        size_t length = aloud_doc_sentence(doc, s)->length;
        units[u].count++;
        bytes += length;
        left -= length;
        if (bytes >= target) {
            u++;
            bytes = 0;
        }
    }
    *count = bytes > 0 ? u + 1 : u;
    return units;
}

/* ----------------------------------------------------------- the spawner */

enum { POOL_OP_SPAWN = 1, POOL_OP_WAIT = 2 };

typedef struct pool_request {
    uint32_t op;
    uint32_t slot;          /* SPAWN: whose staging buffer to use */
    uint64_t first, count;  /* SPAWN: the sentences to speak */
    int64_t pid;            /* WAIT: the worker to reap */
} pool_request;

typedef struct pool_reply {
    int64_t pid;            /* SPAWN: the worker, or -errno; its pipe comes along */
    int32_t status;         /* WAIT: its wait status */
    int32_t unused;
} pool_reply;

/* A worker forked ahead of need, blocked until it is told its unit. */
typedef struct pool_ready {
    pid_t pid;              /* 0 when there is none */
    int go;                 /* write end: its pool_request */
    int out;                /* read end of its audio pipe */
} pool_ready;

/* The life of a worker forked ahead: it waits for its unit, then speaks it.
 * It leaves quietly if the spawner goes away first. */
static void pool_ready_worker(pool *pl, const aloud_doc *doc, unsigned char *stages, int go,
                              int out)
{
    pool_request rq; /* its slot checked by the spawner */
    ssize_t n;
    while ((n = read(go, &rq, sizeof rq)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof rq)
        _exit(0);
    close(go);
    pool_worker(pl, doc, (pool_unit){(size_t)rq.first, (size_t)rq.count},
                stages + (size_t)rq.slot * POOL_STAGE_BYTES, out);
}

/* Forks a worker that waits for its unit; -errno on failure. */
static int pool_fork_ready(pool *pl, const aloud_doc *doc, unsigned char *stages, int control,
                           pool_ready *ready)
{
    int out[2], go[2];
    if (pipe(out) != 0)
        return -errno;
    if (pipe(go) != 0) {
        int e = errno;
        close(out[0]);
        close(out[1]);
        return -e;
    }
    (void)fcntl(out[1], F_SETPIPE_SZ, POOL_PIPE_BYTES);
    pid_t pid = fork();
    if (pid == 0) {
        close(control);
        close(out[0]);
        close(go[1]);
        /* The parent decides what a signal means; a worker just stops. */
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        pool_ready_worker(pl, doc, stages, go[0], out[1]);
    }
    int e = errno;
    close(out[1]);
    close(go[0]);
    if (pid < 0) {
        close(out[0]);
        close(go[1]);
        return -e;
    }
    *ready = (pool_ready){pid, go[1], out[0]};
    return 0;
}

/* Lets a waiting worker go without a unit, and reaps it. */
static void pool_ready_drop(pool_ready *ready)
{
    if (ready->pid <= 0)
        return;
    close(ready->go);
    close(ready->out);
    while (waitpid(ready->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    ready->pid = 0;
}

/*
 * Hands `rq` to the waiting worker, forking one first if there is none;
 * returns its pid and its pipe's read end in *fd, or -errno. One whose
 * death the handing-over reveals is replaced once.
 */
static pid_t pool_start_ready(pool *pl, const aloud_doc *doc, unsigned char *stages,
                              int control, pool_ready *ready, const pool_request *rq, int *fd)
{
    for (int tries = 0; tries < 2; tries++) {
        if (ready->pid <= 0) {
            int e = pool_fork_ready(pl, doc, stages, control, ready);
            if (e < 0)
                return e;
        }
        ssize_t n;
        while ((n = write(ready->go, rq, sizeof *rq)) < 0 && errno == EINTR)
            ;
        if (n == (ssize_t)sizeof *rq) {
            pid_t pid = ready->pid;
            close(ready->go);
            *fd = ready->out;
            ready->pid = 0;
            return pid;
        }
        pool_ready_drop(ready);
    }
    return -EIO;
}

/* Room for one descriptor in a message's control data, suitably aligned. */
typedef union pool_fd_space {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
} pool_fd_space;

/* Sends a reply, with `fd` attached unless it is -1. */
static bool pool_send_reply(int control, pool_reply *rp, int fd)
{
    struct iovec iov = {rp, sizeof *rp};
    pool_fd_space cm;
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        memset(&cm, 0, sizeof cm);
        msg.msg_control = cm.buf;
        msg.msg_controllen = sizeof cm.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    ssize_t n;
    while ((n = sendmsg(control, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    return n == (ssize_t)sizeof *rp;
}

/* The spawner's life: requests until the parent closes its end, then it
 * stops the workers it still has and exits without returning. */
static void pool_spawner(pool *pl, const aloud_doc *doc, unsigned char *stages,
                         unsigned stage_count, int control)
{
    pid_t live[POOL_MAX_SLOTS + 1];
    size_t nlive = 0;
    pool_ready ready = {0, -1, -1};
    /* A terminal's ^C reaches the whole process group; the parent decides.
     * A waiting worker that died shows as a failed write, not a signal. */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    /* A worker that crashes on a sentence is expected (it is retried): no
     * core files from the workers this one forks. */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    for (;;) {
        pool_request rq;
        ssize_t n = recv(control, &rq, sizeof rq, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof rq)
            break;
        pool_reply rp = {0, 0, 0};
        int fd = -1;
        if (rq.op == POOL_OP_SPAWN && nlive < sizeof live / sizeof live[0]
            && rq.slot < stage_count) {
            rp.pid = pool_start_ready(pl, doc, stages, control, &ready, &rq, &fd);
            if (rp.pid > 0)
                live[nlive++] = (pid_t)rp.pid;
        } else if (rq.op == POOL_OP_SPAWN) {
            rp.pid = -EAGAIN;
        } else if (rq.op == POOL_OP_WAIT) {
            int status = 0;
            while (waitpid((pid_t)rq.pid, &status, 0) < 0 && errno == EINTR)
                ;
            rp.status = status;
            for (size_t i = 0; i < nlive; i++) {
                if (live[i] == (pid_t)rq.pid) {
                    live[i] = live[--nlive];
                    break;
                }
            }
        }
        bool sent = pool_send_reply(control, &rp, fd);
        if (fd >= 0)
            close(fd);
        if (!sent)
            break;
        /* The next one, now that the parent has its answer. */
        if (rq.op == POOL_OP_SPAWN && ready.pid <= 0 && nlive < sizeof live / sizeof live[0])
            (void)pool_fork_ready(pl, doc, stages, control, &ready);
    }
    pool_ready_drop(&ready);
    for (size_t i = 0; i < nlive; i++) {
        kill(live[i], SIGKILL);
        while (waitpid(live[i], NULL, 0) < 0 && errno == EINTR)
            ;
    }
    _exit(0);
}

/* Stops the spawner, if any; it stops any workers it still has. */
static void pool_spawner_stop(pool_run_state *rs)
{
    if (rs->spawner <= 0)
        return;
    close(rs->control);
    rs->control = -1;
    while (waitpid(rs->spawner, NULL, 0) < 0 && errno == EINTR)
        ;
    rs->spawner = 0;
}

static aloud_status pool_spawner_start(pool_run_state *rs, aloud_error *err)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "cannot create a socket: %s",
                               strerror(errno));
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        pool_spawner(rs->pl, rs->doc, rs->stages, rs->slot_count, sv[1]);
    }
    int e = errno;
    close(sv[1]);
    if (pid < 0) {
        char why[160];
        close(sv[0]);
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "cannot start a worker: %s",
                               speech_limit_text(e, why, sizeof why));
    }
    rs->spawner = pid;
    rs->control = sv[0];
    rs->spawner_starts++;
    return ALOUD_OK;
}

/* One request and its reply; *fd gets an attached descriptor or -1. */
static bool pool_call(pool_run_state *rs, const pool_request *rq, pool_reply *rp, int *fd)
{
    *fd = -1;
    ssize_t n;
    while ((n = send(rs->control, rq, sizeof *rq, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof *rq)
        return false;
    struct iovec iov = {rp, sizeof *rp};
    pool_fd_space cm;
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cm.buf;
    msg.msg_controllen = sizeof cm.buf;
    while ((n = recvmsg(rs->control, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof *rp)
        return false;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS
            && c->cmsg_len == CMSG_LEN(sizeof(int)))
            memcpy(fd, CMSG_DATA(c), sizeof *fd);
    }
    return true;
}

/* Workers of a spawner that died are orphans: they finish on their own. */
static void pool_orphan_workers(pool_run_state *rs)
{
    for (unsigned i = 0; i < rs->slot_count; i++)
        if (rs->slots[i].pid > 0)
            rs->slots[i].orphan = true;
}

/* ------------------------------------------------------------ the parent */

/* Starts a worker on `unit`, from its sentence `skip` on. A spawner that has
 * died is replaced: the parent is still pristine (it never speaks). */
static aloud_status pool_spawn(pool_run_state *rs, pool_slot *slot, size_t unit, size_t skip,
                               int attempt, aloud_error *err)
{
    pool_request rq = {POOL_OP_SPAWN, (uint32_t)(slot - rs->slots), rs->units[unit].first + skip,
                       rs->units[unit].count - skip, 0};
    pool_reply rp;
    int fd = -1;
    while (rs->spawner <= 0 || !pool_call(rs, &rq, &rp, &fd)) {
        if (rs->spawner > 0) {
            pool_spawner_stop(rs);
            pool_orphan_workers(rs);
        }
        if (rs->spawner_starts >= POOL_SPAWNER_STARTS)
            return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0,
                                   "the process that starts workers keeps dying");
        aloud_status st = pool_spawner_start(rs, err);
        if (st != ALOUD_OK)
            return st;
    }
    if (rp.pid <= 0 || fd < 0) {
        char why[160];
        if (fd >= 0)
            close(fd);
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "cannot start a worker: %s",
                               speech_limit_text(rp.pid < 0 ? (int)-rp.pid : EIO, why,
                                                 sizeof why));
    }
    slot->pid = (pid_t)rp.pid;
    slot->fd = fd;
    slot->unit = unit;
    slot->attempt = attempt;
    slot->exited = false;
    slot->orphan = false;
    slot->wstatus = 0;
    slot->last_output = pool_now();
    return ALOUD_OK;
}

/*
 * Stops a worker (if running) and learns how it ended, keeping its buffer.
 * Killing by pid is safe until the spawner reaps it. An orphan is killed
 * only while its pipe is open (then it is surely alive), and how it ended
 * is not known: it counts as failed.
 */
static void pool_reap(pool_run_state *rs, pool_slot *slot, bool kill_it)
{
    if (slot->pid > 0 && !slot->exited) {
        if (kill_it && (!slot->orphan || slot->fd >= 0))
            kill(slot->pid, SIGKILL);
        slot->wstatus = W_EXITCODE(1, 0);
        if (!slot->orphan) {
            pool_request rq = {POOL_OP_WAIT, 0, 0, 0, slot->pid};
            pool_reply rp;
            int fd;
            if (pool_call(rs, &rq, &rp, &fd))
                slot->wstatus = rp.status;
            if (fd >= 0)
                close(fd);
        }
        slot->exited = true;
    }
    if (slot->fd >= 0)
        close(slot->fd);
    slot->fd = -1;
}

/* ------------------------------------------------------ received audio */

/* A chunk from the free list, or a new one; NULL when out of memory. */
static pool_chunk *pool_chunk_get(pool_run_state *rs)
{
    pool_chunk *c = rs->free_chunks;
    if (c) {
        rs->free_chunks = c->next;
        c->next = NULL;
        return c;
    }
    c = malloc(sizeof *c);
    if (!c)
        return NULL;
    /* Aligned to its size, so that it can be one huge page. */
    size_t span = 2 * POOL_CHUNK_BYTES;
    unsigned char *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                              -1, 0);
    if (map == MAP_FAILED) {
        free(c);
        return NULL;
    }
    uintptr_t at = ((uintptr_t)map + POOL_CHUNK_BYTES - 1) & ~(uintptr_t)(POOL_CHUNK_BYTES - 1);
    unsigned char *data = (unsigned char *)at;
    if (data > map)
        munmap(map, (size_t)(data - map));
    if (data + POOL_CHUNK_BYTES < map + span)
        munmap(data + POOL_CHUNK_BYTES, (size_t)(map + span - (data + POOL_CHUNK_BYTES)));
#ifdef MADV_HUGEPAGE
    madvise(data, POOL_CHUNK_BYTES, MADV_HUGEPAGE);
#endif
    /* A spawner started again later has no use for it. */
    madvise(data, POOL_CHUNK_BYTES, MADV_DONTFORK);
    c->next = NULL;
    c->data = data;
    return c;
}

static void pool_chunk_put(pool_run_state *rs, pool_chunk *c)
{
    c->next = rs->free_chunks;
    rs->free_chunks = c;
}

static void pool_chunks_free(pool_run_state *rs)
{
    while (rs->free_chunks) {
        pool_chunk *c = rs->free_chunks;
        rs->free_chunks = c->next;
        munmap(c->data, POOL_CHUNK_BYTES);
        free(c);
    }
}

/* Where offset `at` (base <= at < len) is held, and how many bytes from
 * there are contiguous. */
static unsigned char *pool_at(const pool_slot *slot, uint64_t at, size_t *contiguous)
{
    pool_chunk *c = slot->head;
    uint64_t start = slot->base;
    while (at - start >= POOL_CHUNK_BYTES) {
        c = c->next;
        start += POOL_CHUNK_BYTES;
    }
    uint64_t end = start + POOL_CHUNK_BYTES < slot->len ? start + POOL_CHUNK_BYTES : slot->len;
    *contiguous = (size_t)(end - at);
    return c->data + (at - start);
}

/* Copies `n` received bytes from offset `at`. */
static void pool_copy(const pool_slot *slot, uint64_t at, void *out, size_t n)
{
    unsigned char *to = out;
    while (n > 0) {
        size_t run;
        const unsigned char *from = pool_at(slot, at, &run);
        size_t k = run < n ? run : n;
        memcpy(to, from, k);
        to += k;
        at += k;
        n -= k;
    }
}

/* Moves `pos` on and gives back the chunks wholly before it. */
static void pool_consume(pool_run_state *rs, pool_slot *slot, uint64_t pos)
{
    slot->pos = pos;
    while (slot->head && slot->pos - slot->base >= POOL_CHUNK_BYTES) {
        pool_chunk *c = slot->head;
        slot->head = c->next;
        if (!slot->head)
            slot->tail = NULL;
        slot->base += POOL_CHUNK_BYTES;
        pool_chunk_put(rs, c);
    }
}

/* Forgets what a slot received: its chunks go back to the free list. */
static void pool_drop_received(pool_run_state *rs, pool_slot *slot)
{
    while (slot->head) {
        pool_chunk *c = slot->head;
        slot->head = c->next;
        pool_chunk_put(rs, c);
    }
    slot->tail = NULL;
    slot->base = slot->pos = slot->len = slot->scan = 0;
}

static void pool_release(pool_run_state *rs, pool_slot *slot)
{
    pool_reap(rs, slot, true);
    slot->pid = 0;
    pool_drop_received(rs, slot);
}

/* Reads what a worker has written. */
static aloud_status pool_read(pool_run_state *rs, pool_slot *slot, aloud_error *err)
{
    size_t used = slot->tail ? (size_t)(slot->len - slot->base) % POOL_CHUNK_BYTES : 0;
    if (!slot->tail || (used == 0 && slot->len > slot->base)) {
        pool_chunk *c = pool_chunk_get(rs);
        if (!c)
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        if (slot->tail)
            slot->tail->next = c;
        else
            slot->head = c;
        slot->tail = c;
        used = 0;
    }
    ssize_t n = read(slot->fd, slot->tail->data + used, POOL_CHUNK_BYTES - used);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return ALOUD_OK;
    if (n > 0) {
        slot->len += (size_t)n;
        slot->last_output = pool_now();
        return ALOUD_OK;
    }
    /* The end: its job is free now; it is reaped when its turn comes. */
    close(slot->fd);
    slot->fd = -1;
    return ALOUD_OK;
}

/* Finds the end of the DONE or FAIL record that ends the sentence at `pos`;
 * 0 if it has not arrived yet. Records once looked at are not looked at again. */
static uint64_t pool_sentence_end(pool_slot *slot, uint32_t *kind)
{
    uint64_t at = slot->scan > slot->pos ? slot->scan : slot->pos;
    while (slot->len - at >= sizeof(pool_record)) {
        pool_record rec;
        pool_copy(slot, at, &rec, sizeof rec);
        if (slot->len - at - sizeof rec < rec.bytes)
            break;
        at += sizeof rec + rec.bytes;
        if (rec.kind != POOL_REC_PCM) {
            *kind = rec.kind;
            return at;
        }
        slot->scan = at;
    }
    return 0;
}

/*
 * Hands on the complete sentences of the front unit that have arrived, up to
 * about POOL_DELIVER_BYTES of PCM: the writer's work comes in slices, so the
 * workers' pipes are drained between them and no worker waits on a full pipe.
 * A sentence may be handed on across several calls; `pos` then stops inside
 * it, at a record boundary. Sets *more when more is ready to go.
 */
static aloud_status pool_deliver(pool_run_state *rs, pool_slot *slot, bool *more,
                                 aloud_error *err)
{
    uint32_t kind = 0;
    uint64_t end;
    size_t budget = POOL_DELIVER_BYTES;
    *more = false;
    while ((end = pool_sentence_end(slot, &kind)) != 0) {
        pool_record rec;
        if (budget == 0) {
            *more = true;
            return ALOUD_OK;
        }
        if (kind == POOL_REC_FAIL) {
            uint64_t at = slot->pos;
            for (;;) {
                pool_copy(slot, at, &rec, sizeof rec);
                if (rec.kind == POOL_REC_FAIL)
                    break;
                at += sizeof rec + rec.bytes;
            }
            uint32_t code = ALOUD_ERR_ENGINE;
            size_t n = 0;
            if (rec.bytes >= sizeof code) {
                pool_copy(slot, at + sizeof rec, &code, sizeof code);
                n = rec.bytes - sizeof code;
                if (n > sizeof rs->fail_message - 1)
                    n = sizeof rs->fail_message - 1;
                pool_copy(slot, at + sizeof rec + sizeof code, rs->fail_message, n);
            }
            rs->fail_message[n] = '\0';
            rs->fail_status = code == ALOUD_ERR_LIMIT ? ALOUD_ERR_LIMIT : ALOUD_ERR_ENGINE;
            pool_consume(rs, slot, slot->len); /* the worker stops after a FAIL */
            return ALOUD_OK;
        }
        size_t sentence = rs->units[slot->unit].first + rs->front_done;
        /* A retried unit repeats sentences already handed on: skip them. */
        pool_copy(slot, slot->pos, &rec, sizeof rec);
        bool fresh = rec.sentence == sentence;
        while (slot->pos < end && budget > 0) {
            pool_copy(slot, slot->pos, &rec, sizeof rec);
            uint64_t at = slot->pos + sizeof rec;
            for (size_t left = fresh && rec.kind == POOL_REC_PCM ? rec.bytes : 0; left > 0;) {
                /* Headers, samples and chunks are even-sized: samples stay whole and aligned. */
                size_t run;
                int16_t *pcm = (int16_t *)(void *)pool_at(slot, at, &run);
                size_t n = run < left ? run : left;
                if (rs->sink->pcm(rs->sink->ctx, sentence, pcm, n / sizeof *pcm) != 0)
                    return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cancelled");
                at += n;
                left -= n;
                budget = n < budget ? budget - n : 0;
            }
            pool_consume(rs, slot, slot->pos + sizeof rec + rec.bytes);
        }
        if (slot->pos < end) {
            *more = true;
            return ALOUD_OK;
        }
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
    for (unsigned i = 0; i < rs->slot_count; i++)
        if (rs->slots[i].pid > 0 && rs->slots[i].unit != rs->front)
            total += (size_t)(rs->slots[i].len - rs->slots[i].pos);
    return total;
}

static pool_slot *pool_slot_of(pool_run_state *rs, size_t unit)
{
    for (unsigned i = 0; i < rs->slot_count; i++)
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
        pool_release(rs, slot);
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
    pool_release(rs, slot);
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

/* Workers still speaking. */
static unsigned pool_running(const pool_run_state *rs)
{
    unsigned n = 0;
    for (unsigned i = 0; i < rs->slot_count; i++)
        if (rs->slots[i].pid > 0 && rs->slots[i].fd >= 0)
            n++;
    return n;
}

/* Moves the workers' last output on by a gap in which this process did not
 * run (see POOL_GAP_SECONDS), so that ^Z held for minutes is not a hang. */
static void pool_credit_gap(pool_run_state *rs, double now)
{
    double gap = now - rs->last_round;
    if (rs->last_round > 0.0 && gap > POOL_GAP_SECONDS) {
        for (unsigned i = 0; i < rs->slot_count; i++)
            rs->slots[i].last_output += gap;
    }
    rs->last_round = now;
}

/*
 * One round: start workers, wait for output, hand on what is in order.
 * A unit that is spoken keeps its slot until its turn comes, but not its
 * job: the next unit starts at once, so no core waits on a slow front unit.
 */
static aloud_status pool_step(pool_run_state *rs, aloud_error *err)
{
    aloud_status st;
    for (unsigned i = 0; i < rs->slot_count && rs->next < rs->unit_count; i++) {
        if (rs->slots[i].pid == 0 && pool_running(rs) < rs->pl->jobs
            && pool_ahead_bytes(rs) < POOL_AHEAD_BYTES) {
            st = pool_spawn(rs, &rs->slots[i], rs->next, 0, 1, err);
            if (st != ALOUD_OK)
                return st;
            rs->next++;
        }
    }

    struct pollfd fds[POOL_MAX_SLOTS];
    pool_slot *owners[POOL_MAX_SLOTS];
    nfds_t n = 0;
    bool room = pool_ahead_bytes(rs) < POOL_AHEAD_BYTES;
    double now = pool_now();
    pool_credit_gap(rs, now);
    for (unsigned i = 0; i < rs->slot_count; i++) {
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
    if (n > 0 && poll(fds, n, rs->ready ? 0 : 500) < 0 && errno != EINTR)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "poll: %s", strerror(errno));
    now = pool_now();
    pool_credit_gap(rs, now);
    for (nfds_t i = 0; i < n; i++) {
        if (fds[i].revents) {
            st = pool_read(rs, owners[i], err);
            if (st != ALOUD_OK)
                return st;
        } else if (now - owners[i]->last_output > POOL_HANG_SECONDS) {
            pool_reap(rs, owners[i], true);
        }
    }

    pool_slot *front = pool_slot_of(rs, rs->front);
    if (!front)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "internal error: no worker for unit");
    st = pool_deliver(rs, front, &rs->ready, err);
    if (st != ALOUD_OK || rs->ready)
        return st;
    if (front->fd < 0) {
        pool_reap(rs, front, false);
        return pool_front_finished(rs, front, err);
    }
    return ALOUD_OK;
}

aloud_status pool_run(pool *pl, const aloud_doc *doc, const pool_sink *sink, aloud_error *err)
{
    if (pl->jobs > POOL_MAX_JOBS)
        pl->jobs = POOL_MAX_JOBS;
    pool_run_state rs = {pl, doc, sink, NULL, 0, NULL, 0, NULL, false, 0, 0, 0, ALOUD_OK, "", 0,
                         -1, 0, NULL, 0.0};
    pool_find_voices(pl, doc);
    rs.units = pool_units(doc, &rs.unit_count);
    /* The unit being written, one per worker, and one finished ahead. */
    rs.slot_count = pl->jobs + 2;
    rs.slots = calloc(rs.slot_count, sizeof *rs.slots);
    size_t stage_bytes = rs.slot_count * POOL_STAGE_BYTES;
    void *stages = mmap(NULL, stage_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                        -1, 0);
    rs.stages = stages == MAP_FAILED ? NULL : stages;
    aloud_status st = ALOUD_OK;
    if (!rs.units || !rs.slots || !rs.stages)
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    for (unsigned i = 0; rs.slots && i < rs.slot_count; i++)
        rs.slots[i].fd = -1;
    /* No SIGPIPE to guard against here: the parent reads from the workers'
     * pipes and writes only to the spawner's socket, with MSG_NOSIGNAL. */
    while (st == ALOUD_OK && rs.front < rs.unit_count) {
        if (sink->stop && *sink->stop)
            st = aloud_error_set(err, ALOUD_ERR_CANCELLED, 0, 0, "stopped by a signal");
        else
            st = pool_step(&rs, err);
    }
    for (unsigned i = 0; rs.slots && i < rs.slot_count; i++) {
        if (rs.slots[i].pid > 0)
            pool_release(&rs, &rs.slots[i]);
        pool_drop_received(&rs, &rs.slots[i]);
    }
    pool_chunks_free(&rs);
    pool_spawner_stop(&rs);
    if (rs.stages)
        munmap(rs.stages, stage_bytes);
    free(rs.slots);
    free(rs.units);
    return st;
}

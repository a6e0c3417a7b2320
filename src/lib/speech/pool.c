/*
 * pool.c - worker processes that speak units of sentences (see pool.h).
 *
 * Wire format, worker to parent, native byte order: records of a
 * pool_record header and `bytes` of payload. PCM records carry samples of
 * one sentence; DONE ends a sentence; FAIL carries an error message and ends
 * the worker. The parent hands a sentence on only once its DONE has arrived,
 * so a unit that dies half-way is retried without repeating audio.
 *
 * Workers are not forked by the parent but by a spawner: a child forked from
 * the parent, once per voice, right after the parent selected that voice in
 * espeak-ng. The parent then writes its buffers and runs the encoder, and a
 * fork of it after every unit would make each of those pages copy-on-write
 * again (perf: copy-on-write faults and their TLB shootdowns were a fifth of
 * the parent's time). The spawner does nothing but fork, so it stays
 * pristine and cheap to copy. It passes each worker's two descriptors back
 * over a socket, and reaps workers when asked. It keeps one worker forked
 * ahead, waiting for its unit: a unit then starts at once, and the fork (a
 * millisecond or more) happens while the other workers speak, not while a
 * core waits. The spawner knows nothing of documents: the parent writes each
 * worker its unit's text (pool_unit_msg, then the spoken sentences, each
 * with its NUL), so one spawner serves every run of a pool, a whole batch.
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
#include "vec.h"

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
/* Starts of one voice's spawner: one, and a few replacements if one is killed. */
#define POOL_SPAWNER_STARTS 4
#define POOL_MAX_JOBS 64
/* Slots beyond one per worker: the unit being handed on, and one ahead.
 * More would let a core go on more often while this process is busy
 * elsewhere (traced on a batch with pool_pump: 141 times without a free slot
 * with four, 249 with two); no gain in wall time could be told from the
 * noise of a busy machine, so the pool keeps two. */
#define POOL_SPARE_SLOTS 2
#define POOL_MAX_SLOTS (POOL_MAX_JOBS + POOL_SPARE_SLOTS)

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

/* What the parent writes a worker: its unit, then `bytes` of text. */
typedef struct pool_unit_msg {
    uint64_t first;   /* the index of the first sentence, for the records */
    uint64_t count;   /* sentences: as many NUL-terminated strings follow */
    uint64_t bytes;
    uint32_t slot;    /* whose staging buffer to use */
    uint32_t unused;
    char voice[SPEECH_NAME_MAX + 1]; /* the unit's language's espeak-ng voice, set in the
                                        worker only; "" for the spawner's own */
} pool_unit_msg;

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
    unsigned job;         /* the run whose unit it speaks (pool_job.id) */
    size_t voice;         /* whose spawner forked it: an index into pl->voices */
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

/* A voice's spawner. Voices that differ only in what the render does
 * (pauses, lexicon, names) share one. */
typedef struct pool_voice {
    aloud_voice voice;
    unsigned sample_rate;
    pid_t spawner;        /* 0 when none runs */
    int control;          /* our end of its socket */
    unsigned starts;
} pool_voice;

/* The voice of a language other than the document's, for the units of
 * paragraphs in it. */
typedef struct pool_lang_voice {
    const char *lang;                 /* a paragraph's, owned by the doc */
    char espeak[SPEECH_NAME_MAX + 1]; /* "" when espeak-ng has none: the document's voice */
} pool_lang_voice;

/* Most languages a document speaks beside its own; more keep its voice. */
#define POOL_MAX_LANGS 16

/* The units of one document, and how far starting them has come. */
typedef struct pool_job {
    const aloud_doc *doc; /* NULL for none */
    uint64_t print;       /* a hash of its spoken text: another document at the same address
                             is not taken for it */
    size_t voice;         /* index into pl->voices */
    unsigned id;          /* 0 for none */
    pool_unit *units;
    size_t unit_count;
    size_t next;          /* the next unit to start */
    pool_lang_voice langs[POOL_MAX_LANGS]; /* paragraph languages other than the document's */
    size_t lang_count;
} pool_job;

struct aloud_engine {
    unsigned jobs;
    unsigned retries;
    pool_voice *voices;
    size_t voice_count;
    size_t voice_cap;
    pool_slot slots[POOL_MAX_SLOTS]; /* units in flight: spoken, being spoken or waiting */
    unsigned slot_count;  /* jobs + POOL_SPARE_SLOTS */
    unsigned char *stages;  /* a worker's staging buffer per slot, shared */
    pool_chunk *free_chunks;
    pool_job ahead;       /* the next run's document, started early */
    unsigned last_id;
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

/* The voice for sentences in `lang` of `job`: "" for the document's own. */
static const char *pool_voice_for(const pool_job *job, const char *lang)
{
    if (pool_same_lang(lang, aloud_doc_lang(job->doc)))
        return "";
    for (size_t i = 0; i < job->lang_count; i++) {
        if (pool_same_lang(job->langs[i].lang, lang))
            return job->langs[i].espeak;
    }
    return "";
}

/* Finds the voice of every paragraph language of job->doc other than the
 * document's. */
static void pool_find_voices(pool_job *job)
{
    const char *main_lang = aloud_doc_lang(job->doc);
    job->lang_count = 0;
    for (size_t p = 0; p < aloud_doc_paragraph_count(job->doc); p++) {
        const char *lang = aloud_doc_paragraph(job->doc, p)->lang;
        bool known = !lang || pool_same_lang(lang, main_lang);
        for (size_t i = 0; i < job->lang_count && !known; i++)
            known = pool_same_lang(job->langs[i].lang, lang);
        if (known || job->lang_count == POOL_MAX_LANGS)
            continue;
        pool_lang_voice *v = &job->langs[job->lang_count++];
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
/* The child: speaks one unit (`count` sentences in `text`, numbered from
 * `first`) into `fd` through `stage` and exits without returning. */
static void pool_worker(speech *sp, size_t first, size_t count, const char *text,
                        const char *voice, unsigned char *stage, int fd)
{
#ifdef MADV_POPULATE_WRITE
    madvise(stage, POOL_STAGE_BYTES, MADV_POPULATE_WRITE); /* Linux 5.14; else faults */
#endif
    pool_out po = {fd, 0, 0, SIZE_MAX, stage};
    /* A unit is in one language (pool_units); another than the document's
     * is spoken with its own voice, set in this fresh child only. */
    aloud_error verr = {0};
    if (voice[0] && speech_use_voice(sp, voice, &verr) != ALOUD_OK) {
        char payload[sizeof(uint32_t) + sizeof verr.message];
        uint32_t code = (uint32_t)ALOUD_ERR_VOICE;
        size_t len = strlen(verr.message);
        po.sentence = first;
        memcpy(payload, &code, sizeof code);
        memcpy(payload + sizeof code, verr.message, len);
        pool_out_record(&po, POOL_REC_FAIL, payload, sizeof code + len);
        pool_out_flush(&po);
        _exit(3);
    }
    for (size_t s = first; s < first + count; s++) {
        aloud_error err = {0};
        po.sentence = s;
        aloud_status st = speech_say(sp, text, pool_out_pcm, &po, &err);
        text += strlen(text) + 1;
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


/* What one run of the pool needs besides the pool. */
typedef struct pool_run_state {
    pool *pl;
    const pool_sink *sink;
    pool_job cur;           /* the document being spoken */
    pool_job *ahead;        /* the next run's, when named: pl->ahead */
    bool ready;             /* the front unit has more to hand on right away */
    size_t front;           /* the unit being handed on */
    size_t front_done;      /* sentences of the front unit already handed on */
    aloud_status fail_status; /* from a FAIL record, ALOUD_OK for none */
    char fail_message[256];
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
    uint32_t more;          /* SPAWN: non-zero when more units will follow */
    int64_t pid;            /* WAIT: the worker to reap */
} pool_request;

typedef struct pool_reply {
    int64_t pid;            /* SPAWN: the worker, or -errno; its two descriptors come along */
    int32_t status;         /* WAIT: its wait status */
    int32_t unused;
} pool_reply;

/* A worker forked ahead of need, blocked until it is told its unit. */
typedef struct pool_ready {
    pid_t pid;              /* 0 when there is none */
    int go;                 /* our end of its socket: its unit comes through it */
    int out;                /* read end of its audio pipe */
} pool_ready;

/* Reads exactly `size` bytes; false at the end or on an error. */
static bool pool_read_all(int fd, void *buf, size_t size)
{
    unsigned char *p = buf;
    while (size > 0) {
        ssize_t n = read(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= (size_t)n;
    }
    return true;
}

/* The life of a worker forked ahead: it waits for its unit and its text,
 * then speaks them. It leaves quietly if nobody sends it a unit. */
static void pool_ready_worker(speech *sp, unsigned char *stages, unsigned stage_count, int go,
                              int out)
{
    pool_unit_msg msg;
    if (!pool_read_all(go, &msg, sizeof msg) || msg.slot >= stage_count || msg.bytes == 0
        || msg.bytes > SIZE_MAX / 2)
        _exit(0);
    char *text = malloc((size_t)msg.bytes);
    if (!text || !pool_read_all(go, text, (size_t)msg.bytes) || text[msg.bytes - 1] != '\0')
        _exit(0);
    close(go);
    /* Exactly `count` strings: a short message is a parent that died mid-way. */
    size_t strings = 0;
    for (size_t i = 0; i < (size_t)msg.bytes; i++)
        strings += text[i] == '\0';
    if (strings != msg.count || memchr(msg.voice, '\0', sizeof msg.voice) == NULL)
        _exit(0);
    pool_worker(sp, (size_t)msg.first, (size_t)msg.count, text, msg.voice,
                stages + (size_t)msg.slot * POOL_STAGE_BYTES, out);
}

/* Forks a worker that waits for its unit; -errno on failure. */
static int pool_fork_ready(speech *sp, unsigned char *stages, unsigned stage_count, int control,
                           pool_ready *ready)
{
    int out[2], go[2];
    if (pipe(out) != 0)
        return -errno;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go) != 0) {
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
        close(go[0]);
        /* The parent decides what a signal means; a worker just stops. */
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        pool_ready_worker(sp, stages, stage_count, go[1], out[1]);
    }
    int e = errno;
    close(out[1]);
    close(go[1]);
    if (pid < 0) {
        close(out[0]);
        close(go[0]);
        return -e;
    }
    *ready = (pool_ready){pid, go[0], out[0]};
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
 * The waiting worker, forked first if there is none (or if the one there
 * has died): returns its pid and its two descriptors in fds, or -errno.
 */
static pid_t pool_start_ready(speech *sp, unsigned char *stages, unsigned stage_count,
                              int control, pool_ready *ready, int fds[2])
{
    if (ready->pid > 0 && waitpid(ready->pid, NULL, WNOHANG) == ready->pid) {
        close(ready->go);
        close(ready->out);
        ready->pid = 0;
    }
    if (ready->pid <= 0) {
        int e = pool_fork_ready(sp, stages, stage_count, control, ready);
        if (e < 0)
            return e;
    }
    pid_t pid = ready->pid;
    fds[0] = ready->out;
    fds[1] = ready->go;
    ready->pid = 0;
    return pid;
}

/* Room for two descriptors in a message's control data, suitably aligned. */
typedef union pool_fd_space {
    struct cmsghdr align;
    char buf[CMSG_SPACE(2 * sizeof(int))];
} pool_fd_space;

/* Sends a reply, with the two descriptors `fds` attached unless fds[0] is -1. */
static bool pool_send_reply(int control, pool_reply *rp, const int fds[2])
{
    struct iovec iov = {rp, sizeof *rp};
    pool_fd_space cm;
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fds[0] >= 0) {
        memset(&cm, 0, sizeof cm);
        msg.msg_control = cm.buf;
        msg.msg_controllen = sizeof cm.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(2 * sizeof(int));
        memcpy(CMSG_DATA(c), fds, 2 * sizeof(int));
    }
    ssize_t n;
    while ((n = sendmsg(control, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    return n == (ssize_t)sizeof *rp;
}

/* The spawner's life: requests until the parent closes its end, then it
 * stops the workers it still has and exits without returning. */
static void pool_spawner(speech *sp, unsigned char *stages, unsigned stage_count, int control)
{
    pid_t live[POOL_MAX_SLOTS + 1];
    size_t nlive = 0;
    pool_ready ready = {0, -1, -1};
    /* A terminal's ^C reaches the whole process group; the parent decides. */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    /* A worker that crashes on a sentence is expected (it is retried): no
     * core files from the workers this one forks. */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    /* Forked ahead at once: the first unit of the first run need not wait. */
    (void)pool_fork_ready(sp, stages, stage_count, control, &ready);
    for (;;) {
        pool_request rq;
        ssize_t n = recv(control, &rq, sizeof rq, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof rq)
            break;
        pool_reply rp = {0, 0, 0};
        int fds[2] = {-1, -1};
        if (rq.op == POOL_OP_SPAWN && nlive < sizeof live / sizeof live[0]) {
            rp.pid = pool_start_ready(sp, stages, stage_count, control, &ready, fds);
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
        bool sent = pool_send_reply(control, &rp, fds);
        if (fds[0] >= 0) {
            close(fds[0]);
            close(fds[1]);
        }
        if (!sent)
            break;
        /* The next one, now that the parent has its answer, unless this unit
         * was the last: a worker nobody needs costs a fork and an exit. */
        if (rq.op == POOL_OP_SPAWN && rq.more && ready.pid <= 0
            && nlive < sizeof live / sizeof live[0])
            (void)pool_fork_ready(sp, stages, stage_count, control, &ready);
    }
    pool_ready_drop(&ready);
    for (size_t i = 0; i < nlive; i++) {
        kill(live[i], SIGKILL);
        while (waitpid(live[i], NULL, 0) < 0 && errno == EINTR)
            ;
    }
    _exit(0);
}

/* Stops a voice's spawner, if it runs; it stops any workers it still has. */
static void pool_spawner_stop(pool_voice *pv)
{
    if (pv->spawner <= 0)
        return;
    close(pv->control);
    pv->control = -1;
    while (waitpid(pv->spawner, NULL, 0) < 0 && errno == EINTR)
        ;
    pv->spawner = 0;
}

/*
 * Starts the spawner of `pv`: selects its voice in this process's
 * espeak-ng (starting it the first time), so that the fork has the voice
 * as a render of it alone would, and forks. Fails as speech_create().
 */
static aloud_status pool_spawner_start(pool *pl, pool_voice *pv, aloud_error *err)
{
    speech *sp = NULL;
    aloud_status st = speech_create(&pv->voice, &sp, err);
    if (st != ALOUD_OK)
        return st;
    pv->sample_rate = speech_sample_rate(sp);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        speech_free(sp);
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "cannot create a socket: %s",
                               strerror(errno));
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        /* Another voice's socket is that spawner's business. */
        for (size_t i = 0; i < pl->voice_count; i++)
            if (pl->voices[i].spawner > 0)
                close(pl->voices[i].control);
        pool_spawner(sp, pl->stages, pl->slot_count, sv[1]);
    }
    int e = errno;
    close(sv[1]);
    speech_free(sp);
    if (pid < 0) {
        char why[160];
        close(sv[0]);
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "cannot start a worker: %s",
                               speech_limit_text(e, why, sizeof why));
    }
    pv->spawner = pid;
    pv->control = sv[0];
    pv->starts++;
    return ALOUD_OK;
}

/* One request and its reply; fds get the two attached descriptors or -1. */
static bool pool_call(pool_voice *pv, const pool_request *rq, pool_reply *rp, int fds[2])
{
    fds[0] = fds[1] = -1;
    ssize_t n;
    while ((n = send(pv->control, rq, sizeof *rq, MSG_NOSIGNAL)) < 0 && errno == EINTR)
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
    while ((n = recvmsg(pv->control, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof *rp)
        return false;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS
            && c->cmsg_len == CMSG_LEN(2 * sizeof(int)))
            memcpy(fds, CMSG_DATA(c), 2 * sizeof(int));
    }
    return true;
}

/* Workers of a spawner that died are orphans: they finish on their own. */
static void pool_orphan_workers(pool *pl, size_t voice)
{
    for (unsigned i = 0; i < pl->slot_count; i++)
        if (pl->slots[i].pid > 0 && pl->slots[i].voice == voice)
            pl->slots[i].orphan = true;
}

/* ------------------------------------------------------------ the parent */

/* Sends all of `size` bytes; false when the peer is gone. */
static bool pool_send_all(int fd, const void *buf, size_t size)
{
    const unsigned char *p = buf;
    while (size > 0) {
        ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= (size_t)n;
    }
    return true;
}

/*
 * Writes a worker its unit: sentences first..first+count of `doc`, spoken
 * forms with their NULs. A worker that died before reading it shows as one
 * that ended without speaking; it is handled when its pipe ends.
 */
static aloud_status pool_send_unit(int go, const aloud_doc *doc, size_t first, size_t count,
                                   const char *voice, unsigned slot, aloud_error *err)
{
    size_t bytes = 0;
    for (size_t s = first; s < first + count; s++) {
        const aloud_sentence *sen = aloud_doc_sentence(doc, s);
        bytes += strlen(sen->spoken ? sen->spoken : sen->text) + 1;
    }
    char *text = malloc(bytes);
    if (!text)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    char *at = text;
    for (size_t s = first; s < first + count; s++) {
        const aloud_sentence *sen = aloud_doc_sentence(doc, s);
        const char *t = sen->spoken ? sen->spoken : sen->text;
        size_t n = strlen(t) + 1;
        memcpy(at, t, n);
        at += n;
    }
    pool_unit_msg msg = {first, count, bytes, slot, 0, ""};
    snprintf(msg.voice, sizeof msg.voice, "%s", voice);
    if (pool_send_all(go, &msg, sizeof msg))
        (void)pool_send_all(go, text, bytes);
    free(text);
    return ALOUD_OK;
}

/* Starts a worker on unit `unit` of `job`, from its sentence `skip` on, in
 * `slot`. A spawner that has died is replaced: the parent is still pristine
 * (it never speaks). */
static aloud_status pool_spawn(pool *pl, const pool_job *job, pool_slot *slot, size_t unit,
                               size_t skip, int attempt, aloud_error *err)
{
    pool_voice *pv = &pl->voices[job->voice];
    /* More to come: later units of this job, or the next run's (then with
     * the same voice, or this worker would be wasted anyway). */
    bool more = unit + 1 < job->unit_count
                || (pl->ahead.id != 0 && pl->ahead.id != job->id && pl->ahead.voice == job->voice);
    pool_request rq = {POOL_OP_SPAWN, more, 0};
    pool_reply rp;
    int fds[2] = {-1, -1};
    while (pv->spawner <= 0 || !pool_call(pv, &rq, &rp, fds)) {
        if (pv->spawner > 0) {
            pool_spawner_stop(pv);
            pool_orphan_workers(pl, job->voice);
        }
        if (pv->starts >= POOL_SPAWNER_STARTS)
            return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0,
                                   "the process that starts workers keeps dying");
        aloud_status st = pool_spawner_start(pl, pv, err);
        if (st != ALOUD_OK)
            return st;
    }
    if (rp.pid <= 0 || fds[0] < 0) {
        char why[160];
        if (fds[0] >= 0) {
            close(fds[0]);
            close(fds[1]);
        }
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "cannot start a worker: %s",
                               speech_limit_text(rp.pid < 0 ? (int)-rp.pid : EIO, why,
                                                 sizeof why));
    }
    slot->pid = (pid_t)rp.pid;
    slot->fd = fds[0];
    slot->job = job->id;
    slot->voice = job->voice;
    slot->unit = unit;
    slot->attempt = attempt;
    slot->exited = false;
    slot->orphan = false;
    slot->wstatus = 0;
    slot->last_output = pool_now();
    const pool_unit *u = &job->units[unit];
    aloud_status st = pool_send_unit(fds[1], job->doc, u->first + skip, u->count - skip,
                                     pool_voice_for(job, pool_sentence_lang(job->doc, u->first)),
                                     (unsigned)(slot - pl->slots), err);
    close(fds[1]);
    return st;
}

/*
 * Stops a worker (if running) and learns how it ended, keeping its buffer.
 * Killing by pid is safe until the spawner reaps it. An orphan is killed
 * only while its pipe is open (then it is surely alive), and how it ended
 * is not known: it counts as failed.
 */
static void pool_reap(pool *pl, pool_slot *slot, bool kill_it)
{
    if (slot->pid > 0 && !slot->exited) {
        if (kill_it && (!slot->orphan || slot->fd >= 0))
            kill(slot->pid, SIGKILL);
        slot->wstatus = W_EXITCODE(1, 0);
        if (!slot->orphan) {
            pool_request rq = {POOL_OP_WAIT, 0, slot->pid};
            pool_reply rp;
            int fds[2];
            if (pool_call(&pl->voices[slot->voice], &rq, &rp, fds))
                slot->wstatus = rp.status;
            if (fds[0] >= 0) {
                close(fds[0]);
                close(fds[1]);
            }
        }
        slot->exited = true;
    }
    if (slot->fd >= 0)
        close(slot->fd);
    slot->fd = -1;
}

/* ------------------------------------------------------ received audio */


/* A chunk from the free list, or a new one; NULL when out of memory. */
static pool_chunk *pool_chunk_get(pool *pl)
{
    pool_chunk *c = pl->free_chunks;
    if (c) {
        pl->free_chunks = c->next;
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

static void pool_chunk_put(pool *pl, pool_chunk *c)
{
    c->next = pl->free_chunks;
    pl->free_chunks = c;
}

static void pool_chunks_free(pool *pl)
{
    while (pl->free_chunks) {
        pool_chunk *c = pl->free_chunks;
        pl->free_chunks = c->next;
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
static void pool_consume(pool *pl, pool_slot *slot, uint64_t pos)
{
    slot->pos = pos;
    while (slot->head && slot->pos - slot->base >= POOL_CHUNK_BYTES) {
        pool_chunk *c = slot->head;
        slot->head = c->next;
        if (!slot->head)
            slot->tail = NULL;
        slot->base += POOL_CHUNK_BYTES;
        pool_chunk_put(pl, c);
    }
}

/* Forgets what a slot received: its chunks go back to the free list. */
static void pool_drop_received(pool *pl, pool_slot *slot)
{
    while (slot->head) {
        pool_chunk *c = slot->head;
        slot->head = c->next;
        pool_chunk_put(pl, c);
    }
    slot->tail = NULL;
    slot->base = slot->pos = slot->len = slot->scan = 0;
}

static void pool_release(pool *pl, pool_slot *slot)
{
    pool_reap(pl, slot, true);
    slot->pid = 0;
    pool_drop_received(pl, slot);
}

/* Reads what a worker has written. */
static aloud_status pool_read(pool *pl, pool_slot *slot, aloud_error *err)
{
    size_t used = slot->tail ? (size_t)(slot->len - slot->base) % POOL_CHUNK_BYTES : 0;
    if (!slot->tail || (used == 0 && slot->len > slot->base)) {
        pool_chunk *c = pool_chunk_get(pl);
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
            pool_consume(rs->pl, slot, slot->len); /* the worker stops after a FAIL */
            return ALOUD_OK;
        }
        size_t sentence = rs->cur.units[slot->unit].first + rs->front_done;
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
            pool_consume(rs->pl, slot, slot->pos + sizeof rec + rec.bytes);
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
/* The slot of unit `unit` of job `id`, or NULL. */
static pool_slot *pool_slot_of(pool *pl, unsigned id, size_t unit)
{
    for (unsigned i = 0; i < pl->slot_count; i++)
        if (pl->slots[i].pid > 0 && pl->slots[i].job == id && pl->slots[i].unit == unit)
            return &pl->slots[i];
    return NULL;
}

/* Audio received for units other than the one being handed on. */
static size_t pool_ahead_bytes(const pool_run_state *rs)
{
    const pool *pl = rs->pl;
    size_t total = 0;
    for (unsigned i = 0; i < pl->slot_count; i++) {
        const pool_slot *s = &pl->slots[i];
        if (s->pid > 0 && !(s->job == rs->cur.id && s->unit == rs->front))
            total += (size_t)(s->len - s->pos);
    }
    return total;
}

/* The error for the front unit's first sentence not handed on. */
static aloud_status pool_sentence_error(pool_run_state *rs, const pool_slot *slot, size_t sentence,
                                        aloud_error *err)
{
    const aloud_sentence *sen = aloud_doc_sentence(rs->cur.doc, sentence);
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
    pool *pl = rs->pl;
    const pool_unit *u = &rs->cur.units[rs->front];
    /* Every sentence arrived whole: how the worker ended no longer matters
     * (one killed after its last DONE record still delivered everything). */
    if (rs->front_done == u->count) {
        pool_release(pl, slot);
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
    int attempt = slot->attempt;
    pool_release(pl, slot);
    rs->fail_status = ALOUD_OK;
    rs->fail_message[0] = '\0';
    if (skip == u->count) {
        rs->front++;
        rs->front_done = 0;
        return ALOUD_OK;
    }
    if (retry)
        pl->retries++;
    /* A fresh child for the rest of the unit; a skip starts a new first attempt. */
    return pool_spawn(pl, &rs->cur, slot, rs->front, skip, retry ? attempt + 1 : 1, err);
}

/* Workers still speaking. */
static unsigned pool_running(const pool *pl)
{
    unsigned n = 0;
    for (unsigned i = 0; i < pl->slot_count; i++)
        if (pl->slots[i].pid > 0 && pl->slots[i].fd >= 0)
            n++;
    return n;
}

/* Moves the workers' last output on by a gap in which this process did not
 * run (see POOL_GAP_SECONDS), so that ^Z held for minutes is not a hang. */
static void pool_credit_gap(pool_run_state *rs, double now)
{
    double gap = now - rs->last_round;
    if (rs->last_round > 0.0 && gap > POOL_GAP_SECONDS) {
        for (unsigned i = 0; i < rs->pl->slot_count; i++)
            rs->pl->slots[i].last_output += gap;
    }
    rs->last_round = now;
}

/* A free slot, or NULL. */
static pool_slot *pool_free_slot(pool *pl)
{
    for (unsigned i = 0; i < pl->slot_count; i++)
        if (pl->slots[i].pid == 0)
            return &pl->slots[i];
    return NULL;
}

/*
 * Starts what a free core can take: the current document's units, then,
 * once they have all started, the next run's. A slot stays with its unit
 * until its turn comes, but its core does not: units start while earlier
 * ones wait to be handed on, up to POOL_AHEAD_BYTES of audio waiting.
 */
static aloud_status pool_start_units(pool_run_state *rs, aloud_error *err)
{
    pool *pl = rs->pl;
    for (;;) {
        pool_job *job = rs->cur.next < rs->cur.unit_count ? &rs->cur : rs->ahead;
        if (!job || job->next >= job->unit_count)
            return ALOUD_OK;
        pool_slot *slot = pool_free_slot(pl);
        if (!slot || pool_running(pl) >= pl->jobs || pool_ahead_bytes(rs) >= POOL_AHEAD_BYTES)
            return ALOUD_OK;
        aloud_status st = pool_spawn(pl, job, slot, job->next, 0, 1, err);
        if (st != ALOUD_OK)
            return st;
        job->next++;
    }
}

/* One round: start workers, wait for output, hand on what is in order. */
static aloud_status pool_step(pool_run_state *rs, aloud_error *err)
{
    pool *pl = rs->pl;
    aloud_status st = pool_start_units(rs, err);
    if (st != ALOUD_OK)
        return st;

    struct pollfd fds[POOL_MAX_SLOTS];
    pool_slot *owners[POOL_MAX_SLOTS];
    nfds_t n = 0;
    bool room = pool_ahead_bytes(rs) < POOL_AHEAD_BYTES;
    double now = pool_now();
    pool_credit_gap(rs, now);
    for (unsigned i = 0; i < pl->slot_count; i++) {
        pool_slot *slot = &pl->slots[i];
        if (slot->pid <= 0 || slot->fd < 0)
            continue;
        if ((slot->job == rs->cur.id && slot->unit == rs->front) || room) {
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
            st = pool_read(pl, owners[i], err);
            if (st != ALOUD_OK)
                return st;
        } else if (now - owners[i]->last_output > POOL_HANG_SECONDS) {
            pool_reap(pl, owners[i], true);
        }
    }

    pool_slot *front = pool_slot_of(pl, rs->cur.id, rs->front);
    if (!front)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "internal error: no worker for unit");
    st = pool_deliver(rs, front, &rs->ready, err);
    if (st != ALOUD_OK || rs->ready)
        return st;
    if (front->fd < 0) {
        pool_reap(pl, front, false);
        return pool_front_finished(rs, front, err);
    }
    return ALOUD_OK;
}

/* Audio received for the units of job `id`. */
static size_t pool_job_bytes(const pool *pl, unsigned id)
{
    size_t total = 0;
    for (unsigned i = 0; i < pl->slot_count; i++) {
        const pool_slot *s = &pl->slots[i];
        if (s->pid > 0 && s->job == id)
            total += (size_t)(s->len - s->pos);
    }
    return total;
}

/* pool_pump()'s work; what fails is left to pool_run() to say. */
static aloud_status pool_pump_job(pool *pl, pool_job *job, aloud_error *err)
{
    struct pollfd fds[POOL_MAX_SLOTS];
    pool_slot *owners[POOL_MAX_SLOTS];
    nfds_t n = 0;
    if (pool_job_bytes(pl, job->id) < POOL_AHEAD_BYTES) {
        for (unsigned i = 0; i < pl->slot_count; i++) {
            pool_slot *slot = &pl->slots[i];
            if (slot->pid > 0 && slot->fd >= 0 && slot->job == job->id) {
                fds[n] = (struct pollfd){slot->fd, POLLIN, 0};
                owners[n++] = slot;
            }
        }
    }
    if (n > 0 && poll(fds, n, 0) > 0) {
        for (nfds_t i = 0; i < n; i++) {
            aloud_status st = fds[i].revents ? pool_read(pl, owners[i], err) : ALOUD_OK;
            if (st != ALOUD_OK)
                return st;
        }
    }
    while (job->next < job->unit_count && pool_running(pl) < pl->jobs
           && pool_job_bytes(pl, job->id) < POOL_AHEAD_BYTES) {
        pool_slot *slot = pool_free_slot(pl);
        if (!slot)
            break;
        aloud_status st = pool_spawn(pl, job, slot, job->next, 0, 1, err);
        if (st != ALOUD_OK)
            return st;
        job->next++;
    }
    return ALOUD_OK;
}

/* Stops the workers of job `id` and forgets what they sent. */
static void pool_release_job(pool *pl, unsigned id)
{
    for (unsigned i = 0; i < pl->slot_count; i++) {
        pool_slot *s = &pl->slots[i];
        if (s->pid > 0 && s->job == id)
            pool_release(pl, s);
    }
}

static void pool_job_clear(pool_job *job)
{
    free(job->units);
    memset(job, 0, sizeof *job);
}

/* Two voices that espeak-ng speaks alike: what the render adds (pauses,
 * lexicon) and the names do not matter. */
static bool pool_same_voice(const aloud_voice *a, const aloud_voice *b)
{
    return strcmp(a->espeak, b->espeak) == 0 && a->rate == b->rate && a->pitch == b->pitch
           && a->range == b->range && a->volume == b->volume && a->word_gap == b->word_gap;
}

/* The index of `voice` in pl->voices, added if new (no spawner yet). */
static aloud_status pool_voice_index(pool *pl, const aloud_voice *voice, size_t *index,
                                     aloud_error *err)
{
    for (size_t i = 0; i < pl->voice_count; i++) {
        if (pool_same_voice(&pl->voices[i].voice, voice)) {
            *index = i;
            return ALOUD_OK;
        }
    }
    if (!vec_reserve(&pl->voices, &pl->voice_cap, pl->voice_count + 1, sizeof *pl->voices, 4))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    pool_voice *pv = &pl->voices[pl->voice_count];
    memset(pv, 0, sizeof *pv);
    pv->voice = *voice;
    pv->control = -1;
    *index = pl->voice_count++;
    return ALOUD_OK;
}

/* FNV-1a over every sentence's spoken form and its NUL. */
static uint64_t pool_fingerprint(const aloud_doc *doc)
{
    uint64_t h = 14695981039346656037u;
    for (size_t s = 0; s < aloud_doc_sentence_count(doc); s++) {
        const aloud_sentence *sen = aloud_doc_sentence(doc, s);
        const unsigned char *p = (const unsigned char *)(sen->spoken ? sen->spoken : sen->text);
        do {
            h ^= *p;
            h *= 1099511628211u;
        } while (*p++ != '\0');
    }
    return h;
}

/* Makes `job` the units of text->doc spoken with text->voice. */
static aloud_status pool_job_make(pool *pl, const pool_text *text, pool_job *job,
                                  aloud_error *err)
{
    memset(job, 0, sizeof *job);
    aloud_status st = pool_voice_index(pl, text->voice, &job->voice, err);
    if (st != ALOUD_OK)
        return st;
    job->units = pool_units(text->doc, &job->unit_count);
    if (!job->units)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    job->doc = text->doc;
    job->print = pool_fingerprint(text->doc);
    pool_find_voices(job);
    if (++pl->last_id == 0)
        pl->last_id = 1;
    job->id = pl->last_id;
    return ALOUD_OK;
}

aloud_status pool_create(unsigned jobs, pool **out, aloud_error *err)
{
    *out = NULL;
    pool *pl = calloc(1, sizeof *pl);
    if (!pl)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    if (jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (unsigned)n : 1;
    }
    pl->jobs = jobs > POOL_MAX_JOBS ? POOL_MAX_JOBS : jobs;
    pl->slot_count = pl->jobs + POOL_SPARE_SLOTS;
    for (unsigned i = 0; i < pl->slot_count; i++)
        pl->slots[i].fd = -1;
    /* Shared with every worker: set up before any spawner is forked. */
    void *stages = mmap(NULL, pl->slot_count * POOL_STAGE_BYTES, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (stages == MAP_FAILED) {
        free(pl);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    pl->stages = stages;
    *out = pl;
    return ALOUD_OK;
}

aloud_status pool_prepare(pool *pl, const aloud_voice *voice, unsigned *sample_rate,
                          aloud_error *err)
{
    size_t index, known = pl->voice_count;
    aloud_status st = pool_voice_index(pl, voice, &index, err);
    if (st != ALOUD_OK)
        return st;
    pool_voice *pv = &pl->voices[index];
    if (pv->spawner <= 0) {
        st = pool_spawner_start(pl, pv, err);
        if (st != ALOUD_OK) {
            /* A new voice that does not start is not kept (no slot refers to it). */
            if (index == known)
                pl->voice_count--;
            return st;
        }
    }
    if (sample_rate)
        *sample_rate = pv->sample_rate;
    return ALOUD_OK;
}

void pool_pump(pool *pl)
{
    if (!pl || pl->ahead.id == 0)
        return;
    aloud_error ignored;
    if (pool_pump_job(pl, &pl->ahead, &ignored) != ALOUD_OK) {
        pool_release_job(pl, pl->ahead.id);
        pool_job_clear(&pl->ahead);
    }
}

unsigned pool_retries(const pool *pl)
{
    return pl->retries;
}

aloud_status pool_run(pool *pl, const pool_text *text, const pool_text *next,
                      const pool_sink *sink, aloud_error *err)
{
    pool_run_state rs;
    memset(&rs, 0, sizeof rs);
    rs.pl = pl;
    rs.sink = sink;
    aloud_status st = pool_prepare(pl, text->voice, NULL, err);
    if (st != ALOUD_OK)
        return st;
    /* The units started ahead for this text are this run's; any others are waste. */
    if (pl->ahead.doc == text->doc && pl->ahead.id != 0
        && pool_same_voice(&pl->voices[pl->ahead.voice].voice, text->voice)
        && pl->ahead.print == pool_fingerprint(text->doc)) {
        rs.cur = pl->ahead;
        memset(&pl->ahead, 0, sizeof pl->ahead);
    } else {
        pool_release_job(pl, pl->ahead.id);
        pool_job_clear(&pl->ahead);
        st = pool_job_make(pl, text, &rs.cur, err);
    }
    if (st == ALOUD_OK && next && next->doc && next->voice) {
        st = pool_prepare(pl, next->voice, NULL, err);
        if (st == ALOUD_OK)
            st = pool_job_make(pl, next, &pl->ahead, err);
        if (st == ALOUD_OK)
            rs.ahead = &pl->ahead;
        else
            pool_job_clear(&pl->ahead);
        st = ALOUD_OK; /* the next run says what is wrong with its text */
    }
    /* Slots of the units started ahead were not watched since: not hung. */
    double now = pool_now();
    for (unsigned i = 0; i < pl->slot_count; i++)
        pl->slots[i].last_output = now;
    /* No SIGPIPE to guard against here: the parent reads from the workers'
     * pipes and writes only to sockets, with MSG_NOSIGNAL. */
    while (st == ALOUD_OK && rs.front < rs.cur.unit_count) {
        if (sink->stop && *sink->stop)
            st = aloud_error_set(err, ALOUD_ERR_CANCELLED, 0, 0, "stopped by a signal");
        else
            st = pool_step(&rs, err);
    }
    pool_release_job(pl, rs.cur.id);
    pool_job_clear(&rs.cur);
    if (st != ALOUD_OK && (st == ALOUD_ERR_CANCELLED || st == ALOUD_ERR_NOMEM)) {
        pool_release_job(pl, pl->ahead.id);
        pool_job_clear(&pl->ahead);
    }
    return st;
}

void pool_free(pool *pl)
{
    if (!pl)
        return;
    for (unsigned i = 0; i < pl->slot_count; i++) {
        if (pl->slots[i].pid > 0)
            pool_release(pl, &pl->slots[i]);
        pool_drop_received(pl, &pl->slots[i]);
    }
    pool_job_clear(&pl->ahead);
    pool_chunks_free(pl);
    for (size_t i = 0; i < pl->voice_count; i++)
        pool_spawner_stop(&pl->voices[i]);
    free(pl->voices);
    munmap(pl->stages, pl->slot_count * POOL_STAGE_BYTES);
    free(pl);
}

/* ------------------------------------------------------------ the engine */

aloud_status aloud_engine_create(unsigned jobs, aloud_engine **out, aloud_error *err)
{
    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "aloud_engine_create: no result");
    return pool_create(jobs, out, err);
}

void aloud_engine_free(aloud_engine *engine)
{
    pool_free(engine);
}

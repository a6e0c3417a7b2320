/*
 * segenc.c - a spooled stream encoded in parallel segments (segenc.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>
#include <sys/types.h>

#include "segenc.h"
#include "vec.h"

aloud_status segenc_read_part(int fd, uint64_t frames, unsigned channels, int64_t first,
                              size_t count, int16_t *out, const volatile sig_atomic_t *stop,
                              aloud_error *err)
{
    if (stop && *stop)
        return aloud_error_set(err, ALOUD_ERR_CANCELLED, 0, 0, "stopped by a signal");
    if (!segenc_read(fd, frames, channels, first, count, out))
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot read back the spool file");
    return ALOUD_OK;
}

aloud_status segenc_spool(FILE *spool, segenc_cuts *cuts, const int16_t *pcm, size_t frames,
                          unsigned channels, uint64_t *spooled, const char *path,
                          aloud_error *err)
{
    if (frames == 0)
        return ALOUD_OK;
    if (fwrite(pcm, sizeof *pcm * channels, frames, spool) != frames)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot spool audio for %s: %s", path,
                               strerror(errno));
    *spooled += frames;
    if (!segenc_cuts_feed(cuts, pcm, frames))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    return ALOUD_OK;
}

bool segenc_read(int fd, uint64_t frames, unsigned channels, int64_t first, size_t count,
                 int16_t *out)
{
    size_t fb = sizeof *out * channels;
    int64_t lo = first < 0 ? 0 : first;
    int64_t hi = first + (int64_t)count;

    memset(out, 0, count * fb);
    if (hi > (int64_t)frames)
        hi = (int64_t)frames;
    if (hi <= lo)
        return true;
    unsigned char *dst = (unsigned char *)(out + (size_t)(lo - first) * channels);
    size_t want = (size_t)(hi - lo) * fb;
    off_t at = (off_t)lo * (off_t)fb;
    while (want > 0) {
        ssize_t got = pread(fd, dst, want, at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        dst += got;
        at += got;
        want -= (size_t)got;
    }
    return true;
}

void segenc_cuts_init(segenc_cuts *c, unsigned channels, uint64_t unit, uint64_t margin,
                      uint64_t min_gap)
{
    memset(c, 0, sizeof *c);
    c->channels = channels ? channels : 1;
    c->unit = unit;
    c->margin = margin;
    c->min_gap = min_gap;
}

void segenc_cuts_free(segenc_cuts *c)
{
    free(c->at);
    c->at = NULL;
    c->count = c->cap = 0;
}

/* A run of silent frames [run_start, end) ended: a cut in its middle, if it
 * is long enough. False when out of memory. */
static bool segenc_cuts_run(segenc_cuts *c, uint64_t end)
{
    uint64_t run = end - c->run_start;
    if (run < 2 * c->margin + c->unit)
        return true;
    uint64_t at = (c->run_start + run / 2) / c->unit * c->unit;
    if (at < c->run_start + c->margin || at + c->margin > end || at >= end ||
        at - c->last < c->min_gap)
        return true;
    if (!vec_reserve(&c->at, &c->cap, c->count + 1, sizeof *c->at, 64))
        return false;
    c->at[c->count++] = at;
    c->last = at;
    return true;
}

bool segenc_cuts_feed(segenc_cuts *c, const int16_t *pcm, size_t frames)
{
    size_t n = frames * c->channels;
    if (c->unit > 0) {
        for (size_t i = 0; i < n; i++) {
            if (pcm[i] == 0)
                continue;
            /* A frame with sound ends the run of silence before it... */
            uint64_t here = c->pos + i / c->channels;
            if (here > c->run_start && !segenc_cuts_run(c, here))
                return false;
            /* ...and so does every frame up to the next zero sample. */
            while (i + 1 < n && pcm[i + 1] != 0)
                i++;
            c->run_start = c->pos + i / c->channels + 1;
        }
    }
    c->pos += frames;
    return true;
}

aloud_status segenc_plan(FILE *spool, segenc_cuts *cuts, uint64_t frames, int *fd,
                         uint64_t **bounds, size_t *count, aloud_error *err)
{
    const char *whole = getenv("ALOUD_ENCODE_WHOLE");
    bool one = whole && strcmp(whole, "1") == 0;

    *bounds = NULL;
    *count = 0;
    if (fflush(spool) != 0)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot flush the spool file: %s",
                               strerror(errno));
    *fd = fileno(spool);
    /* The run of silence at the end. */
    if (!one && cuts->unit > 0 && cuts->pos > cuts->run_start &&
        !segenc_cuts_run(cuts, cuts->pos))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    size_t n = one ? 0 : cuts->count;
    while (n > 0 && cuts->at[n - 1] >= frames)
        n--;
    *bounds = malloc((n + 2) * sizeof **bounds);
    if (!*bounds)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    (*bounds)[0] = 0;
    if (n > 0)
        memcpy(*bounds + 1, cuts->at, n * sizeof **bounds);
    (*bounds)[n + 1] = frames;
    *count = n + 1;
    return ALOUD_OK;
}

bool segenc_put(segenc_out *out, const void *data, size_t size)
{
    if (size > SIZE_MAX / 2 - out->size ||
        !vec_reserve(&out->data, &out->cap, out->size + size, 1, 16384))
        return false;
    if (size)
        memcpy(out->data + out->size, data, size);
    out->size += size;
    return true;
}

bool segenc_put_packet(segenc_out *out, const void *data, size_t size, int64_t stamp)
{
    if (size > UINT32_MAX)
        return false;
    if (!vec_reserve(&out->lens, &out->lens_cap, out->count + 1, sizeof *out->lens, 256) ||
        !vec_reserve(&out->stamps, &out->stamps_cap, out->count + 1, sizeof *out->stamps, 256) ||
        !segenc_put(out, data, size))
        return false;
    out->lens[out->count] = (uint32_t)size;
    out->stamps[out->count] = stamp;
    out->count++;
    return true;
}

static void segenc_out_free(segenc_out *out)
{
    free(out->data);
    free(out->lens);
    free(out->stamps);
    memset(out, 0, sizeof *out);
}

unsigned segenc_thread_count(size_t segments)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = cpus < 1 ? 1u : cpus > (long)SEGENC_MAX_THREADS ? SEGENC_MAX_THREADS
                                                                 : (unsigned)cpus;
    if (segments < n)
        n = (unsigned)segments;
    return n ? n : 1u;
}

/* ------------------------------------------------------------ the pool */

typedef struct segenc_slot {
    segenc_out out;
    bool done;
    aloud_status status;
    aloud_error error;
} segenc_slot;

typedef struct segenc_job {
    segenc_encode_fn encode;
    void *ctx;
    segenc_slot *slots;
    size_t count;
    size_t next;               /* the next segment to take */
    size_t written;            /* segments sunk so far */
    size_t window;             /* at most this many segments ahead of `written` */
    bool failed;
    const volatile sig_atomic_t *stop;
    pthread_mutex_t lock;
    pthread_cond_t changed;
} segenc_job;

static void *segenc_worker(void *arg)
{
    segenc_job *job = arg;

    pthread_mutex_lock(&job->lock);
    for (;;) {
        while (!job->failed && job->next < job->count && job->next >= job->written + job->window)
            pthread_cond_wait(&job->changed, &job->lock);
        if (job->failed || job->next >= job->count)
            break;
        size_t index = job->next++;
        segenc_slot *slot = &job->slots[index];
        pthread_mutex_unlock(&job->lock);
        if (job->stop && *job->stop)
            slot->status = aloud_error_set(&slot->error, ALOUD_ERR_CANCELLED, 0, 0,
                                           "stopped by a signal");
        else
            slot->status = job->encode(job->ctx, index, &slot->out, &slot->error);
        pthread_mutex_lock(&job->lock);
        slot->done = true;
        pthread_cond_broadcast(&job->changed);
    }
    pthread_mutex_unlock(&job->lock);
    return NULL;
}

aloud_status segenc_run(size_t count, unsigned threads, segenc_encode_fn encode,
                        segenc_sink_fn sink, void *ctx, const volatile sig_atomic_t *stop,
                        aloud_error *err)
{
    pthread_t tids[SEGENC_MAX_THREADS];
    unsigned started = 0;
    segenc_job job;
    aloud_status st = ALOUD_OK;

    if (count == 0)
        return ALOUD_OK;
    if (threads < 1)
        threads = 1;
    if (threads > SEGENC_MAX_THREADS)
        threads = SEGENC_MAX_THREADS;
    if (threads > count)
        threads = (unsigned)count;
    memset(&job, 0, sizeof job);
    job.slots = calloc(count, sizeof *job.slots);
    if (!job.slots)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    job.encode = encode;
    job.ctx = ctx;
    job.count = count;
    job.window = 2u * threads;
    job.stop = stop;
    pthread_mutex_init(&job.lock, NULL);
    pthread_cond_init(&job.changed, NULL);
    for (; started < threads; started++) {
        if (pthread_create(&tids[started], NULL, segenc_worker, &job) != 0)
            break;
    }
    if (started == 0)
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "cannot start an encoding thread");
    for (size_t s = 0; st == ALOUD_OK && s < count; s++) {
        segenc_slot *slot = &job.slots[s];
        pthread_mutex_lock(&job.lock);
        while (!slot->done)
            pthread_cond_wait(&job.changed, &job.lock);
        pthread_mutex_unlock(&job.lock);
        if (slot->status != ALOUD_OK) {
            *err = slot->error;
            st = slot->status;
        } else {
            st = sink(ctx, s, &slot->out, err);
        }
        segenc_out_free(&slot->out);
        pthread_mutex_lock(&job.lock);
        job.written = s + 1;
        if (st != ALOUD_OK)
            job.failed = true;
        pthread_cond_broadcast(&job.changed);
        pthread_mutex_unlock(&job.lock);
    }
    pthread_mutex_lock(&job.lock);
    job.failed = true;
    pthread_cond_broadcast(&job.changed);
    pthread_mutex_unlock(&job.lock);
    for (unsigned t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    pthread_cond_destroy(&job.changed);
    pthread_mutex_destroy(&job.lock);
    for (size_t s = 0; s < count; s++)
        segenc_out_free(&job.slots[s].out);
    free(job.slots);
    return st;
}

/*
 * shape.c - gain and limiter over the spool, in pieces, in threads (see
 * shape.h).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "limiter.h"
#include "segenc.h"
#include "shape.h"

/* The least audio between two cuts: enough work for a thread. */
#define SHAPE_PIECE_MIN_S 5u

shape_cuts *shape_cuts_create(unsigned sample_rate, unsigned align)
{
    limiter *probe = limiter_create(sample_rate, 0, 0);
    shape_cuts *c = probe ? malloc(sizeof *c) : NULL;
    if (c) {
        /* Silence for the limiter to be fresh before a cut, and for its
         * look-ahead after: both on each side. */
        size_t before = limiter_reset_frames(probe), after = limiter_tail_frames(probe);
        segenc_cuts_init(c, 1, align > 1 ? align : 1, before > after ? before : after,
                         (uint64_t)sample_rate * SHAPE_PIECE_MIN_S);
    }
    limiter_free(probe);
    return c;
}

void shape_cuts_free(shape_cuts *c)
{
    if (!c)
        return;
    segenc_cuts_free(c);
    free(c);
}

bool shape_cuts_feed(shape_cuts *c, const int16_t *pcm, size_t frames)
{
    return segenc_cuts_feed(c, pcm, frames);
}

/* The pieces are shaped in threads and written in order by segenc_run()
 * (segenc.h), the pool the encoders use. */
typedef struct shape_piece {
    uint64_t first, end;
    int16_t *pcm;          /* shaped, end - first frames */
    void *coded;           /* what out->encode made of it */
    int peak;
} shape_piece;

typedef struct shape_job {
    int fd;                /* the spool, `frames` mono frames */
    uint64_t frames;
    unsigned rate;
    double gain_db, ceiling_db;
    const shape_output *out;
    shape_piece *pieces;
    size_t count;
    int peak;              /* of the pieces written so far */
} shape_job;

/* Shapes a piece (and has the writer encode it); ALOUD_ERR_NOMEM or
 * ALOUD_ERR_WRITE without a message, or the coder's failure with `err` set. */
static aloud_status shape_piece_run(const shape_job *job, shape_piece *pc, aloud_error *err)
{
    size_t n = (size_t)(pc->end - pc->first);
    limiter *lim = limiter_create(job->rate, job->gain_db, job->ceiling_db);
    if (!lim)
        return ALOUD_ERR_NOMEM;
    int16_t *in = malloc(sizeof *in * (n ? n : 1));
    pc->pcm = malloc(sizeof *pc->pcm * (n + limiter_latency(lim) + 1));
    if (!in || !pc->pcm) {
        limiter_free(lim);
        free(in);
        return ALOUD_ERR_NOMEM;
    }
    if (!segenc_read(job->fd, job->frames, 1, (int64_t)pc->first, n, in)) {
        limiter_free(lim);
        free(in);
        return ALOUD_ERR_WRITE;
    }
    size_t w = limiter_run(lim, in, pc->pcm, n);
    w += limiter_flush(lim, pc->pcm + w);
    pc->peak = limiter_peak(lim);
    limiter_free(lim);
    free(in);
    if (w != n)
        return ALOUD_ERR_WRITE;
    if (job->out->encode)
        return job->out->encode(job->out->ctx, pc->first, pc->pcm, n, &pc->coded, err);
    return ALOUD_OK;
}

/* A segenc_encode_fn: piece `index`, in a thread. */
static aloud_status shape_piece_encode(void *ctx, size_t index, segenc_out *unused,
                                       aloud_error *err)
{
    shape_job *job = ctx;
    (void)unused;
    err->message[0] = '\0';
    aloud_status st = shape_piece_run(job, &job->pieces[index], err);
    if (st == ALOUD_ERR_WRITE && !err->message[0])
        aloud_error_set(err, st, 0, 0, "cannot read back the spool file");
    else if (st != ALOUD_OK && !err->message[0])
        aloud_error_set(err, st, 0, 0, "out of memory");
    return st;
}

/* A segenc_sink_fn: piece `index` to the writer, in order. */
static aloud_status shape_piece_write(void *ctx, size_t index, const segenc_out *unused,
                                      aloud_error *err)
{
    shape_job *job = ctx;
    shape_piece *pc = &job->pieces[index];
    aloud_status st = ALOUD_OK;
    (void)unused;
    if (pc->end > pc->first || pc->coded) {
        void *coded = pc->coded;
        pc->coded = NULL;
        st = job->out->write(job->out->ctx, pc->pcm, (size_t)(pc->end - pc->first), coded, err);
    }
    if (pc->peak > job->peak)
        job->peak = pc->peak;
    free(pc->pcm);
    pc->pcm = NULL;
    return st;
}

aloud_status shape_run(int fd, uint64_t frames, const shape_cuts *cuts, unsigned sample_rate,
                       double gain_db, double ceiling_db, const shape_output *out,
                       const volatile sig_atomic_t *stop, int *peak, aloud_error *err)
{
    shape_job job;

    memset(&job, 0, sizeof job);
    *peak = 0;
    job.fd = fd;
    job.frames = frames;
    job.rate = sample_rate;
    job.gain_db = gain_db;
    job.ceiling_db = ceiling_db;
    job.out = out;
    job.count = 1;
    for (size_t i = 0; i < cuts->count; i++)
        job.count += cuts->at[i] < frames;
    job.pieces = calloc(job.count, sizeof *job.pieces);
    if (!job.pieces)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    for (size_t p = 0; p < job.count; p++) {
        job.pieces[p].first = p == 0 ? 0 : cuts->at[p - 1];
        job.pieces[p].end = p + 1 == job.count ? frames : cuts->at[p];
    }
    aloud_status st = segenc_run(job.count, segenc_thread_count(job.count), shape_piece_encode,
                                 shape_piece_write, &job, stop, err);
    *peak = job.peak;
    for (size_t p = 0; p < job.count; p++) {
        free(job.pieces[p].pcm);
        if (job.pieces[p].coded)
            out->discard(out->ctx, job.pieces[p].coded);
    }
    free(job.pieces);
    return st;
}

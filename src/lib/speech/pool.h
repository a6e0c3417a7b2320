/*
 * pool.h - speech synthesis in a pool of worker processes (private).
 *
 * The calling process initialises espeak-ng once and never speaks. Each unit
 * of work (a run of consecutive sentences, cut by the text alone) is spoken
 * by a child forked from that pristine state (by a helper process forked
 * from it once, see pool.c), so a unit's audio never
 * depends on what was spoken before it or on how many workers ran: the
 * output is the same for any number of jobs. Results come back through
 * pipes and are handed on strictly in document order; a crashed or hung
 * worker costs one unit, which is retried once in a fresh child.
 */
#ifndef ALOUD_POOL_H
#define ALOUD_POOL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aloud.h"

typedef struct pool pool;

/* What the pool hands on, in document order. A non-zero return cancels. */
typedef struct pool_sink {
    /* Audio of sentence `sentence`, in pieces. */
    int (*pcm)(void *ctx, size_t sentence, const int16_t *pcm, size_t frames);
    /* Sentence `sentence` is complete. */
    int (*done)(void *ctx, size_t sentence);
    /* Sentence `sentence` could not be spoken and is skipped (skip_bad);
     * done() follows with no audio. */
    void (*skipped)(void *ctx, size_t sentence, const aloud_error *why);
    void *ctx;
    bool skip_bad;                      /* skip what fails twice instead of failing */
    const volatile sig_atomic_t *stop;  /* non-zero asks to stop; may be NULL */
} pool_sink;

/*
 * Initialises the speech engine for `voice` in this process. `jobs` is the
 * number of workers (0: one per CPU). Errors as speech_create().
 */
aloud_status pool_create(const aloud_voice *voice, unsigned jobs, pool **out, aloud_error *err);

unsigned pool_sample_rate(const pool *pl);

/*
 * Speaks every sentence of `doc` (borrowed) and hands the audio to `sink`
 * in document order. Fails with the line and column of a sentence that
 * could not be spoken: ALOUD_ERR_ENGINE when it failed twice over,
 * ALOUD_ERR_LIMIT when it makes too much audio (unless sink->skip_bad);
 * ALOUD_ERR_WRITE when a sink callback returned non-zero;
 * ALOUD_ERR_CANCELLED when *sink->stop was set; or ALOUD_ERR_NOMEM.
 */
aloud_status pool_run(pool *pl, const aloud_doc *doc, const pool_sink *sink, aloud_error *err);

/* Units spoken again after a worker crashed or hung, over all runs. */
unsigned pool_retries(const pool *pl);

/* Stops any workers and frees the pool. NULL is a no-op. */
void pool_free(pool *pl);

#endif /* ALOUD_POOL_H */

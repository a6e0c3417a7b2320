/*
 * pool.h - speech synthesis in a pool of worker processes (private).
 *
 * The calling process initialises espeak-ng and never speaks. Each unit
 * of work (a run of consecutive sentences, cut by the text alone) is spoken
 * by a child forked from that pristine state (by a helper process forked
 * from it, one per voice, see pool.c), so a unit's audio never depends on
 * what was spoken before it or on how many workers ran: the output is the
 * same for any number of jobs. Results come back through pipes and are
 * handed on strictly in document order; a crashed or hung worker costs one
 * unit, which is retried once in a fresh child.
 *
 * A pool lives for as many runs as its owner likes (a batch: one pool for
 * every input), and is the public aloud_engine. Its helpers are started
 * once per voice and stay; they know nothing of the documents, whose text
 * is handed to each worker with its unit. A run may name the document of
 * the run that follows: when a core would otherwise idle at the end of this
 * run, units of the next one start early and wait for their turn.
 */
#ifndef ALOUD_POOL_H
#define ALOUD_POOL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aloud.h"

typedef aloud_engine pool;

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

/* A document and the voice to speak it with, both borrowed. */
typedef struct pool_text {
    const aloud_doc *doc;
    const aloud_voice *voice;
} pool_text;

/*
 * An empty pool of `jobs` workers (0: one per CPU, at most 64). Nothing is
 * started yet. ALOUD_ERR_NOMEM.
 */
aloud_status pool_create(unsigned jobs, pool **out, aloud_error *err);

/*
 * Makes ready to speak with `voice` (borrowed): initialises the speech
 * engine in this process if need be and starts that voice's helper, unless
 * it runs already. Sets *sample_rate. Errors as speech_create().
 */
aloud_status pool_prepare(pool *pl, const aloud_voice *voice, unsigned *sample_rate,
                          aloud_error *err);

/*
 * Speaks every sentence of text->doc with text->voice (prepared or not) and
 * hands the audio to `sink` in document order. `next` (may be NULL, as may
 * next->doc) names what the following run will speak: units of it may start
 * early, and a run that then speaks something else only wastes them.
 * Fails with the line and column of a sentence that could not be spoken:
 * ALOUD_ERR_ENGINE when it failed twice over, ALOUD_ERR_LIMIT when it makes
 * too much audio (unless sink->skip_bad); ALOUD_ERR_WRITE when a sink
 * callback returned non-zero; ALOUD_ERR_CANCELLED when *sink->stop was set;
 * ALOUD_ERR_VOICE or ALOUD_ERR_ENGINE as pool_prepare(); or ALOUD_ERR_NOMEM.
 * The pool stays usable after a failure.
 */
aloud_status pool_run(pool *pl, const pool_text *text, const pool_text *next,
                      const pool_sink *sink, aloud_error *err);

/*
 * Between runs, while the caller does other work (a render shaping and
 * writing its audio once its speech is over): reads what the workers of the
 * next run's units have sent, so that they do not stop on a full pipe, and
 * starts more of those units on the cores that are free, as pool_run()
 * would. Never waits. What fails here (a worker that cannot start) drops
 * what was started ahead, and the next run starts afresh and says why.
 */
void pool_pump(pool *pl);

/* Units spoken again after a worker crashed or hung, over all runs. */
unsigned pool_retries(const pool *pl);

/* Stops the helpers and any workers, and frees the pool. NULL is a no-op. */
void pool_free(pool *pl);

#endif /* ALOUD_POOL_H */

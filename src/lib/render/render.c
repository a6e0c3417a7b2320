/*
 * render.c - the render loop: sentences from the worker pool in document
 * order, exact pauses between them, the timeline, and the writer, streaming
 * from start to end.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "chapter_plan.h"
#include "clock.h"
#include "loudness.h"
#include "cover.h"
#include "outputs.h"
#include "pool.h"
#include "shape.h"
#include "vec.h"
#include "writer.h"

/* How far below the ceiling a lossy format's PCM is limited. */
#define RENDER_LOSSY_HEADROOM_DB 1.0

/* Everything the pool's sink needs while audio arrives in order. */
typedef struct render_state {
    const aloud_doc *doc;
    const aloud_render_opts *opts;
    aloud_render_result *res;
    writer *w;
    loud_meter *meter;        /* with loudness on: measures what arrives... */
    FILE *spool;              /* ...and keeps it (unlinked) until the gain is known */
    shape_cuts *cuts;         /* where the spooled audio can be shaped apart */
    uint64_t frames;          /* frames written so far */
    uint64_t sentence_start;  /* where the sentence being received began */
    size_t paragraph;         /* the paragraph of that sentence */
    uint64_t sentence_pause;  /* in frames */
    uint64_t paragraph_pause;
    aloud_status status;      /* first failure inside the sink */
    aloud_error error;
    size_t pending;           /* frames in `buf` not yet handed to the writer */
    size_t skipped_cap;       /* room in res->skipped, in entries */
    int16_t buf[32768];       /* espeak-ng delivers ~1000 frames at a time; writers
                                 (libsndfile above all) cost a system call each */
} render_state;

/* Hands PCM to the writer, or to the meter and the spool; non-zero on
 * failure (rs->status says why). */
static int render_out(render_state *rs, const int16_t *pcm, size_t frames)
{
    if (!rs->meter) {
        rs->status = rs->opts->format->writer->write(rs->w, pcm, frames, &rs->error);
        return rs->status != ALOUD_OK;
    }
    rs->status = loud_meter_add(rs->meter, pcm, frames, &rs->error);
    if (rs->status == ALOUD_OK && !shape_cuts_feed(rs->cuts, pcm, frames))
        rs->status = aloud_error_set(&rs->error, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    if (rs->status == ALOUD_OK && fwrite(pcm, sizeof *pcm, frames, rs->spool) != frames)
        rs->status = aloud_error_set(&rs->error, ALOUD_ERR_WRITE, 0, 0,
                                     "cannot spool audio beside %s: %s", rs->opts->output,
                                     strerror(errno));
    return rs->status != ALOUD_OK;
}

static aloud_status render_shaped(void *ctx, const int16_t *pcm, size_t frames, void *coded,
                                  aloud_error *err)
{
    render_state *rs = ctx;
    const writer_ops *ops = rs->opts->format->writer;
    /* The caller's engine: the next run's units go on while this one's
     * audio is shaped and written. */
    pool_pump(rs->opts->engine);
    if (coded)
        return ops->write_piece(rs->w, coded, pcm, frames, err);
    return ops->write(rs->w, pcm, frames, err);
}

/* In a shaping thread: the writer encodes the piece apart. */
static aloud_status render_encode(void *ctx, uint64_t first, const int16_t *pcm, size_t frames,
                                  void **coded, aloud_error *err)
{
    const render_state *rs = ctx;
    writer_piece *piece = NULL;
    aloud_status st = rs->opts->format->writer->encode_piece(rs->w, first, pcm, frames, &piece,
                                                             err);
    *coded = piece;
    return st;
}

static void render_discard(void *ctx, void *coded)
{
    const render_state *rs = ctx;
    rs->opts->format->writer->free_piece(coded);
}

/* Plays the spool back through the gain and the limiter into the writer, in
 * pieces shaped in threads (shape.h). */
static aloud_status render_replay(render_state *rs, double gain_db, double ceiling_db,
                                  aloud_error *err)
{
    int peak = 0;
    if (fflush(rs->spool) != 0)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot flush the spool file: %s",
                               strerror(errno));
    const writer_ops *ops = rs->opts->format->writer;
    shape_output out = {render_shaped, NULL, NULL, rs};
    if (ops->encode_piece) {
        out.encode = render_encode;
        out.discard = render_discard;
    }
    return shape_run(fileno(rs->spool), rs->frames, rs->cuts, rs->res->sample_rate, gain_db,
                     ceiling_db, &out, rs->opts->stop, &peak, err);
}

static int render_flush(render_state *rs)
{
    size_t frames = rs->pending;
    rs->pending = 0;
    return frames > 0 ? render_out(rs, rs->buf, frames) : 0;
}

static int render_write(render_state *rs, const int16_t *pcm, size_t frames)
{
    size_t room = sizeof rs->buf / sizeof rs->buf[0];
    rs->frames += frames;
    if (frames >= room / 4) {
        /* Large enough to go as it is, without a copy: a sentence, mostly. */
        if (render_flush(rs) != 0)
            return 1;
        return render_out(rs, pcm, frames);
    }
    while (frames > 0) {
        size_t n = room - rs->pending < frames ? room - rs->pending : frames;
        memcpy(rs->buf + rs->pending, pcm, n * sizeof *pcm);
        rs->pending += n;
        pcm += n;
        frames -= n;
        if (rs->pending == room && render_flush(rs) != 0)
            return 1;
    }
    return 0;
}

/* Appends `frames` frames of digital silence. */
static int render_silence(render_state *rs, uint64_t frames)
{
    static const int16_t zeros[4096];
    while (frames > 0) {
        size_t n = frames < 4096 ? (size_t)frames : 4096;
        if (render_write(rs, zeros, n) != 0)
            return 1;
        frames -= n;
    }
    return 0;
}

static int render_pcm(void *ctx, size_t sentence, const int16_t *pcm, size_t frames)
{
    (void)sentence;
    return render_write(ctx, pcm, frames);
}

/* A sentence is complete: note its span, then its pause. */
static int render_done(void *ctx, size_t sentence)
{
    render_state *rs = ctx;
    aloud_render_result *res = rs->res;
    const aloud_paragraph *para = aloud_doc_paragraph(rs->doc, rs->paragraph);
    while (sentence >= para->first_sentence + para->sentence_count)
        para = aloud_doc_paragraph(rs->doc, ++rs->paragraph);

    if (sentence == para->first_sentence)
        res->paragraphs[rs->paragraph].start = rs->sentence_start;
    res->sentences[sentence] = (aloud_span){rs->sentence_start, rs->frames};
    bool last = sentence + 1 == para->first_sentence + para->sentence_count;
    if (last)
        res->paragraphs[rs->paragraph].end = rs->frames;
    if (render_silence(rs, last ? rs->paragraph_pause : rs->sentence_pause) != 0)
        return 1;
    rs->sentence_start = rs->frames;

    const aloud_render_opts *o = rs->opts;
    aloud_progress progress = {sentence + 1, res->sentence_count, rs->frames, res->sample_rate};
    if (o->progress && o->progress(o->progress_ctx, &progress) != 0) {
        rs->status = aloud_error_set(&rs->error, ALOUD_ERR_CANCELLED, 0, 0, "render cancelled");
        return 1;
    }
    return 0;
}

/* Notes a skipped sentence in the result. */
static void render_skipped(void *ctx, size_t sentence, const aloud_error *why)
{
    render_state *rs = ctx;
    aloud_render_result *res = rs->res;
    size_t n = res->skipped_count;
    if (!vec_reserve(&res->skipped, &rs->skipped_cap, n + 1, sizeof *res->skipped, 1))
        return; /* the render goes on; only the report is short */
    res->skipped[n].sentence = sentence;
    snprintf(res->skipped[n].reason, sizeof res->skipped[n].reason, "%s", why->message);
    res->skipped_count = n + 1;
}

static void render_state_free(render_state *rs)
{
    if (!rs)
        return;
    loud_meter_free(rs->meter);
    shape_cuts_free(rs->cuts);
    if (rs->spool)
        fclose(rs->spool);
    free(rs);
}

void aloud_render_result_free(aloud_render_result *result)
{
    if (!result)
        return;
    free(result->paragraphs);
    free(result->sentences);
    free(result->chapter_paragraphs);
    free(result->skipped);
    memset(result, 0, sizeof *result);
}

aloud_status aloud_render(const aloud_doc *doc, const aloud_render_opts *opts,
                          aloud_render_result *result, aloud_error *err)
{
    aloud_error scratch;
    if (!err)
        err = &scratch;
    if (!result)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "aloud_render: no result");
    memset(result, 0, sizeof *result);
    if (!doc || !opts || !opts->voice || !opts->format || !opts->output)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "aloud_render: missing argument");
    double target = opts->loudness == 0 ? ALOUD_LOUDNESS_DEFAULT : opts->loudness;
    if (!opts->loudness_off && !(target >= ALOUD_LOUDNESS_MIN && target <= ALOUD_LOUDNESS_MAX))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "a loudness of %g LUFS is not between %g and %g", target,
                               ALOUD_LOUDNESS_MIN, ALOUD_LOUDNESS_MAX);

    size_t paragraphs = aloud_doc_paragraph_count(doc);
    size_t max_chapters = aloud_format_chapter_cap(opts->format);
    result->paragraph_count = paragraphs;
    result->sentence_count = aloud_doc_sentence_count(doc);
    result->loudness_measured = -HUGE_VAL;
    result->paragraphs = calloc(paragraphs, sizeof *result->paragraphs);
    result->sentences = calloc(result->sentence_count, sizeof *result->sentences);
    const char **titles = calloc(paragraphs ? paragraphs : 1, sizeof *titles);
    uint64_t *chapters = calloc(paragraphs ? paragraphs : 1, sizeof *chapters);
    chapter_plan plan = {0};
    cover_image *cover = NULL;
    pool *pl = NULL;     /* the render's own, without opts->engine */
    pool *engine = NULL;
    pool_text text, next;
    unsigned retries = 0;
    /* Without a set of the caller's, one of its own commits at once. */
    aloud_outputs *own = opts->outputs ? NULL : aloud_outputs_create();
    aloud_outputs *set = opts->outputs ? opts->outputs : own;
    const char *temp = NULL;
    render_state *rs = calloc(1, sizeof *rs); /* large: it holds the write buffer */
    writer_params params;
    writer_gain gain;
    pool_sink sink;
    aloud_status st;

    if (!result->paragraphs || !result->sentences || !titles || !chapters || !rs || !set) {
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        goto fail;
    }
    /* The chapters the file holds, grouped here for every format. */
    if (opts->max_chapters > 0 && opts->max_chapters < max_chapters)
        max_chapters = opts->max_chapters;
    st = chapter_plan_make(doc, opts->voice, max_chapters, &plan, err);
    if (st != ALOUD_OK)
        goto fail;
    for (size_t c = 0; c < plan.count; c++)
        titles[c] = aloud_doc_paragraph(doc, plan.first[c])->chapter_title;
    /* A destination that cannot take the file, or a bad cover, is refused before any speech. */
    st = outputs_has(set, opts->output) ? ALOUD_OK : aloud_outputs_add(set, opts->output, err);
    if (st == ALOUD_OK && opts->cover)
        st = cover_load(opts->cover, &cover, err);
    if (st != ALOUD_OK)
        goto fail;

    if (!opts->engine && (st = pool_create(opts->jobs, &pl, err)) != ALOUD_OK)
        goto fail;
    engine = opts->engine ? opts->engine : pl;
    st = pool_prepare(engine, opts->voice, &result->sample_rate, err);
    if (st != ALOUD_OK)
        goto fail;
    retries = pool_retries(engine);

    st = outputs_begin(set, opts->output, &temp, err);
    if (st != ALOUD_OK)
        goto fail;
    params = (writer_params){
        .sample_rate = result->sample_rate,
        .channels = 1,
        .title = aloud_doc_title(doc),
        .author = aloud_doc_author(doc),
        .software = opts->software,
        .chapter_count = plan.count,
        .chapter_titles = titles,
        .cover = cover,
        .bitrate = opts->bitrate,
        .stop = opts->stop,
    };
    if (opts->loudness_off) {
        st = opts->format->writer->open(temp, &params, &rs->w, err);
    } else {
        /* The writer opens once the gain is known: its tags state it. */
        rs->meter = loud_meter_create(result->sample_rate, 1);
        rs->cuts = shape_cuts_create(result->sample_rate, opts->format->writer->piece_frames);
        st = rs->meter && rs->cuts ? writer_create_spool(temp, &rs->spool, err)
                       : aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    if (st != ALOUD_OK)
        goto fail;

    rs->doc = doc;
    rs->opts = opts;
    rs->res = result;
    rs->sentence_pause = clock_frames(opts->voice->sentence_pause_ms, result->sample_rate);
    rs->paragraph_pause = clock_frames(opts->voice->paragraph_pause_ms, result->sample_rate);
    sink = (pool_sink){render_pcm, render_done, render_skipped, rs, opts->skip_bad != 0,
                       opts->stop};
    text = (pool_text){doc, opts->voice};
    next = (pool_text){opts->next, opts->next_voice ? opts->next_voice : opts->voice};
    st = pool_run(engine, &text, &next, &sink, err);
    if (st == ALOUD_ERR_WRITE && rs->status != ALOUD_OK) {
        *err = rs->error;
        st = rs->status;
    }
    if (st == ALOUD_OK && render_flush(rs) != 0) {
        *err = rs->error;
        st = rs->status;
    }
    if (st != ALOUD_OK)
        goto fail;
    result->retries = pool_retries(engine) - retries;
    pool_free(pl);
    pl = NULL;
    result->frames = rs->frames;

    if (rs->meter) {
        result->loudness_measured = loud_meter_integrated(rs->meter);
        result->gain_db = loud_gain_db(result->loudness_measured, target);
        /* A lossy coder moves peaks: Opus and MP3 overshoot the PCM's true peak
         * by up to 0.5 dB on speech (measured with ffmpeg's ebur128 on every
         * preset), so they get a lower ceiling, the same for every lossy format. */
        bool lossy = aloud_format_bitrate_range(opts->format, NULL, NULL, NULL) != 0;
        double ceiling_db = ALOUD_TRUE_PEAK_CEILING - (lossy ? RENDER_LOSSY_HEADROOM_DB : 0.0);
        /* The peak: the loudest sample with the gain, or the ceiling where the
         * limiter takes over, whichever is lower. */
        double peak = loud_meter_peak(rs->meter) / 32768.0 * pow(10.0, result->gain_db / 20.0);
        double ceiling = pow(10.0, ceiling_db / 20.0);
        gain = (writer_gain){result->loudness_measured + result->gain_db,
                             peak < ceiling ? peak : ceiling};
        params.gain = isfinite(result->loudness_measured) ? &gain : NULL;
        st = opts->format->writer->open(temp, &params, &rs->w, err);
        if (st == ALOUD_OK)
            st = render_replay(rs, result->gain_db, ceiling_db, err);
        if (st != ALOUD_OK)
            goto fail;
    }

    for (size_t c = 0; c < plan.count; c++)
        chapters[c] = result->paragraphs[plan.first[c]].start;
    st = opts->format->writer->close(rs->w, chapters, err);
    rs->w = NULL;
    /* A signal during close() may have come too late for the writer to see:
     * the file is not committed once one has asked to stop. */
    if (st == ALOUD_OK && opts->stop && *opts->stop)
        st = aloud_error_set(err, ALOUD_ERR_CANCELLED, 0, 0, "stopped by a signal");
    if (st != ALOUD_OK)
        goto fail;
    temp = NULL;
    if (own) {
        st = aloud_outputs_commit(own, err);
        if (st != ALOUD_OK)
            goto fail;
        aloud_outputs_free(own);
    }
    result->chapter_count = plan.count;
    result->chapter_paragraphs = plan.first; /* taken over */
    cover_free(cover);
    free(titles);
    free(chapters);
    render_state_free(rs);
    return ALOUD_OK;

fail:
    if (rs && rs->w)
        opts->format->writer->abort(rs->w);
    render_state_free(rs);
    if (temp)
        outputs_abandon(set, temp);
    aloud_outputs_free(own);
    pool_free(pl);
    chapter_plan_free(&plan);
    cover_free(cover);
    free(titles);
    free(chapters);
    aloud_render_result_free(result);
    return st;
}

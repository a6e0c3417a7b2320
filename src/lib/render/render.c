/*
 * render.c - the render loop: sentences from the worker pool in document
 * order, exact pauses between them, the timeline, and the writer, streaming
 * from start to end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "chapter_plan.h"
#include "clock.h"
#include "cover.h"
#include "outputs.h"
#include "pool.h"
#include "vec.h"
#include "writer.h"

/* Everything the pool's sink needs while audio arrives in order. */
typedef struct render_state {
    const aloud_doc *doc;
    const aloud_render_opts *opts;
    aloud_render_result *res;
    writer *w;
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

/* Hands PCM to the writer; non-zero on failure (rs->status says why). */
static int render_out(render_state *rs, const int16_t *pcm, size_t frames)
{
    rs->status = rs->opts->format->writer->write(rs->w, pcm, frames, &rs->error);
    return rs->status != ALOUD_OK;
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

    size_t paragraphs = aloud_doc_paragraph_count(doc);
    size_t max_chapters = aloud_format_chapter_cap(opts->format);
    result->paragraph_count = paragraphs;
    result->sentence_count = aloud_doc_sentence_count(doc);
    result->paragraphs = calloc(paragraphs, sizeof *result->paragraphs);
    result->sentences = calloc(result->sentence_count, sizeof *result->sentences);
    const char **titles = calloc(paragraphs, sizeof *titles);
    uint64_t *chapters = calloc(paragraphs, sizeof *chapters);
    chapter_plan plan = {0};
    cover_image *cover = NULL;
    pool *pl = NULL;
    /* Without a set of the caller's, one of its own commits at once. */
    aloud_outputs *own = opts->outputs ? NULL : aloud_outputs_create();
    aloud_outputs *set = opts->outputs ? opts->outputs : own;
    const char *temp = NULL;
    render_state *rs = calloc(1, sizeof *rs); /* large: it holds the write buffer */
    writer_params params;
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

    st = pool_create(opts->voice, opts->jobs, &pl, err);
    if (st != ALOUD_OK)
        goto fail;
    result->sample_rate = pool_sample_rate(pl);

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
    st = opts->format->writer->open(temp, &params, &rs->w, err);
    if (st != ALOUD_OK)
        goto fail;

    rs->doc = doc;
    rs->opts = opts;
    rs->res = result;
    rs->sentence_pause = clock_frames(opts->voice->sentence_pause_ms, result->sample_rate);
    rs->paragraph_pause = clock_frames(opts->voice->paragraph_pause_ms, result->sample_rate);
    sink = (pool_sink){render_pcm, render_done, render_skipped, rs, opts->skip_bad != 0,
                       opts->stop};
    st = pool_run(pl, doc, &sink, err);
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
    result->retries = pool_retries(pl);
    pool_free(pl);
    pl = NULL;
    result->frames = rs->frames;

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
    free(rs);
    return ALOUD_OK;

fail:
    if (rs && rs->w)
        opts->format->writer->abort(rs->w);
    free(rs);
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

/*
 * render.c - the render loop: sentences through the speech engine, exact
 * pauses, the timeline, and the writer, streaming from start to end.
 */
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "outfile.h"
#include "speech.h"
#include "writer.h"

/* State the speech sink needs while one sentence is spoken. */
typedef struct render_sink {
    const aloud_format *format;
    writer *w;
    uint64_t frames;      /* frames written so far */
    aloud_status status;  /* first write failure */
    aloud_error error;
} render_sink;

static int render_sink_write(void *ctx, const int16_t *pcm, size_t frames)
{
    render_sink *rs = ctx;
    rs->status = rs->format->write(rs->w, pcm, frames, &rs->error);
    if (rs->status != ALOUD_OK)
        return 1;
    rs->frames += frames;
    return 0;
}

/* Appends `frames` frames of digital silence. */
static aloud_status render_silence(render_sink *rs, uint64_t frames)
{
    static const int16_t zeros[4096];
    while (frames > 0) {
        size_t n = frames < 4096 ? (size_t)frames : 4096;
        if (render_sink_write(rs, zeros, n) != 0)
            return rs->status;
        frames -= n;
    }
    return ALOUD_OK;
}

static uint64_t render_ms_to_frames(unsigned ms, unsigned rate)
{
    return ((uint64_t)ms * rate + 500) / 1000;
}

void aloud_render_result_free(aloud_render_result *result)
{
    if (!result)
        return;
    free(result->paragraphs);
    free(result->sentences);
    memset(result, 0, sizeof *result);
}

/* Speaks every sentence in order, recording spans and chapter starts. */
static aloud_status render_doc(const aloud_doc *doc, const aloud_render_opts *opts, speech *sp,
                               render_sink *rs, aloud_render_result *res, uint64_t *chapters,
                               aloud_error *err)
{
    const aloud_voice *v = opts->voice;
    uint64_t sentence_pause = render_ms_to_frames(v->sentence_pause_ms, res->sample_rate);
    uint64_t paragraph_pause = render_ms_to_frames(v->paragraph_pause_ms, res->sample_rate);
    aloud_progress progress = {0, res->sentence_count, 0, res->sample_rate};

    for (size_t p = 0; p < res->paragraph_count; p++) {
        const aloud_paragraph *para = aloud_doc_paragraph(doc, p);
        chapters[p] = rs->frames;
        res->paragraphs[p].start = rs->frames;
        for (size_t i = 0; i < para->sentence_count; i++) {
            size_t s = para->first_sentence + i;
            const aloud_sentence *sen = aloud_doc_sentence(doc, s);
            res->sentences[s].start = rs->frames;
            aloud_status st = speech_say(sp, sen->text, render_sink_write, rs, err);
            if (st == ALOUD_ERR_WRITE && rs->status != ALOUD_OK) {
                *err = rs->error;
                return rs->status;
            }
            if (st != ALOUD_OK) {
                if (err) {
                    err->line = sen->line;
                    err->column = sen->column;
                }
                return st;
            }
            res->sentences[s].end = rs->frames;
            bool last = i + 1 == para->sentence_count;
            st = render_silence(rs, last ? paragraph_pause : sentence_pause);
            if (st != ALOUD_OK) {
                *err = rs->error;
                return st;
            }
            progress.sentences_done = s + 1;
            progress.frames_done = rs->frames;
            if (opts->progress && opts->progress(opts->progress_ctx, &progress) != 0)
                return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "render cancelled");
        }
        res->paragraphs[p].end = res->sentences[para->first_sentence + para->sentence_count - 1].end;
    }
    res->frames = rs->frames;
    return ALOUD_OK;
}

aloud_status aloud_render(const aloud_doc *doc, const aloud_render_opts *opts,
                          aloud_render_result *result, aloud_error *err)
{
    aloud_error scratch;
    if (!err)
        err = &scratch;
    memset(result, 0, sizeof *result);
    if (!doc || !opts || !opts->voice || !opts->format || !opts->output)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "aloud_render: missing argument");

    result->paragraph_count = aloud_doc_paragraph_count(doc);
    result->sentence_count = aloud_doc_sentence_count(doc);
    result->paragraphs = calloc(result->paragraph_count, sizeof *result->paragraphs);
    result->sentences = calloc(result->sentence_count, sizeof *result->sentences);
    const char **titles = calloc(result->paragraph_count, sizeof *titles);
    uint64_t *chapters = calloc(result->paragraph_count, sizeof *chapters);
    speech *sp = NULL;
    outfile *of = NULL;
    render_sink rs = {opts->format, NULL, 0, ALOUD_OK, {ALOUD_OK, 0, 0, ""}};
    writer_params params;
    aloud_status st;

    if (!result->paragraphs || !result->sentences || !titles || !chapters) {
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t p = 0; p < result->paragraph_count; p++)
        titles[p] = aloud_doc_paragraph(doc, p)->chapter_title;

    st = speech_create(opts->voice, &sp, err);
    if (st != ALOUD_OK)
        goto fail;
    result->sample_rate = speech_sample_rate(sp);

    st = outfile_create(opts->output, &of, err);
    if (st != ALOUD_OK)
        goto fail;
    params = (writer_params){
        result->sample_rate, 1, aloud_doc_title(doc), aloud_doc_author(doc), opts->software,
        result->paragraph_count, titles,
    };
    st = opts->format->open(outfile_temp_path(of), &params, &rs.w, err);
    if (st != ALOUD_OK)
        goto fail;

    st = render_doc(doc, opts, sp, &rs, result, chapters, err);
    if (st != ALOUD_OK)
        goto fail;
    speech_free(sp);
    sp = NULL;

    st = opts->format->close(rs.w, chapters, err);
    rs.w = NULL;
    if (st != ALOUD_OK)
        goto fail;
    st = outfile_commit(of, err);
    of = NULL;
    if (st != ALOUD_OK)
        goto fail;
    free(titles);
    free(chapters);
    return ALOUD_OK;

fail:
    if (rs.w)
        opts->format->abort(rs.w);
    outfile_discard(of);
    speech_free(sp);
    free(titles);
    free(chapters);
    aloud_render_result_free(result);
    return st;
}

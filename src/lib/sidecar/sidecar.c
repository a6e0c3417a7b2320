/*
 * sidecar.c - files that describe a render's timeline beside the audio:
 * cue sheet, WebVTT and SubRip captions, LRC synced lyrics, JSON manifest.
 *
 * Each kind is one entry in a table (name, extension, write function).
 * Every writer streams to a temporary file beside the target (outputs.h),
 * renamed over it only when everything was written (and, in a set of
 * outputs, only when the set is committed); nothing is buffered whole.
 *
 * One clock for all: a position is a frame count; milliseconds are that
 * rounded to nearest (clock_ms, clock.h), and every kind that shows milliseconds
 * (VTT, SRT, JSON) prints the same number. Coarser clocks are rounded down
 * from the frames, so that a marker is never after the speech it marks:
 * the cue sheet's CD frames (1/75 s) and LRC's hundredths.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "aloud.h"
#include "clock.h"
#include "outfile.h"
#include "outputs.h"
#include "utf8.h"

/* What every writer is handed; everything borrowed. */
typedef struct sidecar_ctx {
    FILE *f;
    const aloud_doc *doc;
    const aloud_render_result *res;
    const aloud_sidecar_info *info;  /* never NULL (an empty one stands in) */
} sidecar_ctx;

typedef struct sidecar_kind {
    const char *name;
    const char *extension;
    /* Writes the whole file to ctx->f; write errors are found by the caller (ferror). */
    void (*write)(const sidecar_ctx *ctx);
} sidecar_kind;

/* ------------------------------------------------------------------ time */

/* HH:MM:SS<sep>mmm of `frame`, milliseconds rounded to nearest (clock.h). */
static void sidecar_put_clock(FILE *f, uint64_t frame, unsigned rate, char sep)
{
    char text[32];

    fputs(clock_format(clock_ms(frame, rate), sep, text, sizeof text), f);
}

/* ------------------------------------------------------------------ text */

/* Doc texts never hold line breaks, but a caption must stay on its line: any control is a space. */
static void sidecar_put_line(FILE *f, const char *s)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s < 0x20u ? ' ' : *s, f);
}

/*
 * A double-quoted cue sheet string. The format has no escape for '"', so
 * it becomes '\'' (as foobar2000 and EAC do); controls become spaces.
 */
static void sidecar_put_cue_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        char c = *s;

        fputc(c == '"' ? '\'' : (unsigned char)c < 0x20u ? ' ' : c, f);
    }
    fputc('"', f);
}

/* WebVTT cue text: '&', '<' and '>' start markup, so they go as character references. */
static void sidecar_put_vtt_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        default: fputc((unsigned char)*s < 0x20u ? ' ' : *s, f); break;
        }
    }
}

void aloud_json_put_string(FILE *f, const char *s)
{
    if (!f)
        return;
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (size_t left = strlen(s); left > 0;) {
        unsigned char c = (unsigned char)*s;
        uint32_t cp;
        size_t len = utf8_next(s, left, &cp);

        /* JSON text is UTF-8 (RFC 8259): a byte that starts no character
         * (a file name in Latin-1) must not reach a strict parser. */
        if (len == 0) {
            fputs("\\ufffd", f);
            s++;
            left--;
            continue;
        }
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (c < 0x20u)
                fprintf(f, "\\u%04x", c);
            else
                fwrite(s, 1, len, f);
            break;
        }
        s += len;
        left -= len;
    }
    fputc('"', f);
}

/* Seconds with exactly three decimals: the millisecond value, never a float. */
static void sidecar_put_json_seconds(FILE *f, uint64_t frame, unsigned rate)
{
    uint64_t ms = clock_ms(frame, rate);

    fprintf(f, "%" PRIu64 ".%03" PRIu64, ms / 1000u, ms % 1000u);
}

/* The file name part of a path. */
static const char *sidecar_basename(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

/* ------------------------------------------------------------- cue sheet */

/*
 * The FILE type players expect: MP3 for MP3; WAVE for everything else,
 * which is what foobar2000, EAC and libcue users write for FLAC and Opus
 * too (the type names a decoder family, not a container check).
 */
static const char *sidecar_cue_file_type(const char *format)
{
    return (format && strcmp(format, "mp3") == 0) ? "MP3" : "WAVE";
}

/*
 * A cue sheet numbers tracks 01 to 99 and the indexes within a track 00 to
 * 99 (the CD's limits, kept by cuetools, EAC and foobar2000; shntool
 * refuses tracks past 256, cuetools drops those past 99).
 */
#define SIDECAR_CUE_MAX_TRACKS 99u
#define SIDECAR_CUE_MAX_INDEX 99u

size_t aloud_sidecar_cue_group(size_t paragraphs)
{
    if (paragraphs <= SIDECAR_CUE_MAX_TRACKS)
        return 1;
    return paragraphs / SIDECAR_CUE_MAX_TRACKS + (paragraphs % SIDECAR_CUE_MAX_TRACKS != 0);
}

/* "    INDEX nn mm:ss:ff" at `frame`: 75 CD frames a second, rounded down. */
static void sidecar_put_cue_index(const sidecar_ctx *c, size_t number, uint64_t frame)
{
    uint64_t cd = clock_floor(frame, c->res->sample_rate, 75);

    fprintf(c->f, "    INDEX %02zu %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 "\n", number,
            cd / 4500u, cd / 75u % 60u, cd % 75u);
}

/*
 * One TRACK per paragraph with its chapter title and INDEX 01 at its start
 * in mm:ss:ff (minutes pass 99 when they must). Past 99 paragraphs, each
 * track holds the same number of them (aloud_sidecar_cue_group), is titled
 * after its first, and marks the later ones with INDEX 02, 03...: every
 * reader keeps the tracks (INDEX 01), and those that show indexes (cuetools,
 * CD players) keep each paragraph's start. Even groups rather than a last
 * track holding all the rest: a track stays a comparable stretch to skip.
 * Past 99 x 99 paragraphs the indexes could not all be numbered and each
 * track has INDEX 01 only.
 */
static void sidecar_write_cue(const sidecar_ctx *c)
{
    const char *title = aloud_doc_title(c->doc);
    const char *author = aloud_doc_author(c->doc);
    size_t count = c->res->paragraph_count;
    size_t group = aloud_sidecar_cue_group(count);
    size_t indexes = group <= SIDECAR_CUE_MAX_INDEX ? group : 1;

    if (author) {
        fputs("PERFORMER ", c->f);
        sidecar_put_cue_string(c->f, author);
        fputc('\n', c->f);
    }
    if (title) {
        fputs("TITLE ", c->f);
        sidecar_put_cue_string(c->f, title);
        fputc('\n', c->f);
    }
    fputs("FILE ", c->f);
    sidecar_put_cue_string(c->f, sidecar_basename(c->info->output));
    fprintf(c->f, " %s\n", sidecar_cue_file_type(c->info->format));
    for (size_t first = 0; first < count; first += group) {
        fprintf(c->f, "  TRACK %02zu AUDIO\n    TITLE ", first / group + 1);
        sidecar_put_cue_string(c->f, aloud_doc_paragraph(c->doc, first)->chapter_title);
        fputc('\n', c->f);
        for (size_t k = 0; k < indexes && first + k < count; k++)
            sidecar_put_cue_index(c, k + 1, c->res->paragraphs[first + k].start);
    }
}

/* ------------------------------------------------------------- captions */

static const char *sidecar_sentence_text(const sidecar_ctx *c, size_t s)
{
    const aloud_sentence *sentence = aloud_doc_sentence(c->doc, s);

    return sentence ? sentence->text : "";
}

/* WebVTT: a header, then per sentence an id, "start --> end" and the text as written. */
static void sidecar_write_vtt(const sidecar_ctx *c)
{
    fputs("WEBVTT\n", c->f);
    for (size_t s = 0; s < c->res->sentence_count; s++) {
        const aloud_span *sp = &c->res->sentences[s];

        fprintf(c->f, "\n%zu\n", s + 1);
        sidecar_put_clock(c->f, sp->start, c->res->sample_rate, '.');
        fputs(" --> ", c->f);
        sidecar_put_clock(c->f, sp->end, c->res->sample_rate, '.');
        fputc('\n', c->f);
        sidecar_put_vtt_text(c->f, sidecar_sentence_text(c, s));
        fputc('\n', c->f);
    }
}

/* SubRip: numbered from 1, comma before the milliseconds, a blank line between. */
static void sidecar_write_srt(const sidecar_ctx *c)
{
    for (size_t s = 0; s < c->res->sentence_count; s++) {
        const aloud_span *sp = &c->res->sentences[s];

        fprintf(c->f, "%s%zu\n", s ? "\n" : "", s + 1);
        sidecar_put_clock(c->f, sp->start, c->res->sample_rate, ',');
        fputs(" --> ", c->f);
        sidecar_put_clock(c->f, sp->end, c->res->sample_rate, ',');
        fputc('\n', c->f);
        sidecar_put_line(c->f, sidecar_sentence_text(c, s));
        fputc('\n', c->f);
    }
}

/*
 * An LRC line's text. A line starts with a run of bracketed tags, and
 * players read every bracket at its start as one (ffmpeg's lrc demuxer even
 * skips spaces between them), so a sentence that begins "[00:01.00] ..."
 * would be shown at the wrong time, or not at all. Its opening bracket and
 * the first closing one go as U+FF3B and U+FF3D, the fullwidth brackets:
 * no parser takes them for a tag, and every player still shows a bracket,
 * where a zero-width character may show as a box and a space is skipped.
 */
static void sidecar_put_lrc_text(FILE *f, const char *s)
{
    if (s && *s == '[') {
        const char *close = strchr(s, ']');

        fputs("\xEF\xBC\xBB", f);
        for (s++; *s; s++) {
            if (s == close)
                fputs("\xEF\xBC\xBD", f);
            else
                fputc((unsigned char)*s < 0x20u ? ' ' : *s, f);
        }
        return;
    }
    sidecar_put_line(f, s);
}

/* LRC: [ti:] and [ar:] when known, then [mm:ss.xx] per sentence (minutes pass 59). */
static void sidecar_write_lrc(const sidecar_ctx *c)
{
    const char *title = aloud_doc_title(c->doc);
    const char *author = aloud_doc_author(c->doc);

    if (title) {
        fputs("[ti:", c->f);
        sidecar_put_line(c->f, title);
        fputs("]\n", c->f);
    }
    if (author) {
        fputs("[ar:", c->f);
        sidecar_put_line(c->f, author);
        fputs("]\n", c->f);
    }
    for (size_t s = 0; s < c->res->sentence_count; s++) {
        uint64_t cs = clock_floor(c->res->sentences[s].start, c->res->sample_rate, 100);

        fprintf(c->f, "[%02" PRIu64 ":%02" PRIu64 ".%02" PRIu64 "]", cs / 6000u, cs / 100u % 60u,
                cs % 100u);
        sidecar_put_lrc_text(c->f, sidecar_sentence_text(c, s));
        fputc('\n', c->f);
    }
}

/* ------------------------------------------------------------- manifest */

static void sidecar_put_json_key(FILE *f, const char *indent, const char *key, bool first)
{
    fprintf(f, "%s%s\"%s\": ", first ? "" : ",\n", indent, key);
}

static void sidecar_write_json_sentences(const sidecar_ctx *c, const aloud_paragraph *para)
{
    unsigned rate = c->res->sample_rate;

    fputs("[", c->f);
    for (size_t i = 0; i < para->sentence_count; i++) {
        size_t s = para->first_sentence + i;

        fputs(i ? ",\n        {\"text\": " : "\n        {\"text\": ", c->f);
        aloud_json_put_string(c->f, sidecar_sentence_text(c, s));
        fputs(", \"start\": ", c->f);
        sidecar_put_json_seconds(c->f, c->res->sentences[s].start, rate);
        fputs(", \"end\": ", c->f);
        sidecar_put_json_seconds(c->f, c->res->sentences[s].end, rate);
        fputs("}", c->f);
    }
    fputs(para->sentence_count ? "\n      ]" : "]", c->f);
}

/* A paragraph's kind as the manifest names it (the feed's description is
 * the first "body"). */
static const char *sidecar_kind_name(aloud_para_kind kind)
{
    switch (kind) {
    case ALOUD_PARA_TITLE: return "title";
    case ALOUD_PARA_HEADING: return "heading";
    case ALOUD_PARA_BYLINE: return "byline";
    case ALOUD_PARA_BODY: break;
    }
    return "body";
}

static void sidecar_write_json_paragraphs(const sidecar_ctx *c)
{
    unsigned rate = c->res->sample_rate;

    fputs("[", c->f);
    for (size_t p = 0; p < c->res->paragraph_count; p++) {
        const aloud_paragraph *para = aloud_doc_paragraph(c->doc, p);

        fputs(p ? ",\n    {\n" : "\n    {\n", c->f);
        sidecar_put_json_key(c->f, "      ", "kind", true);
        aloud_json_put_string(c->f, sidecar_kind_name(para->kind));
        sidecar_put_json_key(c->f, "      ", "title", false);
        aloud_json_put_string(c->f, para->chapter_title);
        sidecar_put_json_key(c->f, "      ", "start", false);
        sidecar_put_json_seconds(c->f, c->res->paragraphs[p].start, rate);
        sidecar_put_json_key(c->f, "      ", "end", false);
        sidecar_put_json_seconds(c->f, c->res->paragraphs[p].end, rate);
        sidecar_put_json_key(c->f, "      ", "sentences", false);
        sidecar_write_json_sentences(c, para);
        fputs("\n    }", c->f);
    }
    fputs(c->res->paragraph_count ? "\n  ]" : "]", c->f);
}

/*
 * The manifest: settings, duration (and the exact sample_rate and frames
 * it comes from), title and author (null when unknown), then paragraphs
 * (kind: title, heading, byline or body; chapter title; times) with their sentences. Times in seconds with three decimals.
 */
static void sidecar_write_json(const sidecar_ctx *c)
{
    const aloud_sidecar_info *i = c->info;

    fputs("{\n", c->f);
    sidecar_put_json_key(c->f, "  ", "input", true);
    aloud_json_put_string(c->f, i->input);
    sidecar_put_json_key(c->f, "  ", "output", false);
    aloud_json_put_string(c->f, i->output);
    sidecar_put_json_key(c->f, "  ", "format", false);
    aloud_json_put_string(c->f, i->format);
    sidecar_put_json_key(c->f, "  ", "voice", false);
    aloud_json_put_string(c->f, i->voice);
    sidecar_put_json_key(c->f, "  ", "rate", false);
    if (i->rate > 0)
        fprintf(c->f, "%d", i->rate);
    else
        fputs("null", c->f);
    sidecar_put_json_key(c->f, "  ", "duration", false);
    sidecar_put_json_seconds(c->f, c->res->frames, c->res->sample_rate);
    sidecar_put_json_key(c->f, "  ", "sample_rate", false);
    fprintf(c->f, "%u", c->res->sample_rate);
    sidecar_put_json_key(c->f, "  ", "frames", false);
    fprintf(c->f, "%" PRIu64, c->res->frames);
    sidecar_put_json_key(c->f, "  ", "title", false);
    aloud_json_put_string(c->f, aloud_doc_title(c->doc));
    sidecar_put_json_key(c->f, "  ", "author", false);
    aloud_json_put_string(c->f, aloud_doc_author(c->doc));
    sidecar_put_json_key(c->f, "  ", "paragraphs", false);
    sidecar_write_json_paragraphs(c);
    fputs("\n}\n", c->f);
}

/* ----------------------------------------------------------------- table */

static const sidecar_kind sidecar_kinds[] = {
    {"cue", "cue", sidecar_write_cue},
    {"vtt", "vtt", sidecar_write_vtt},
    {"srt", "srt", sidecar_write_srt},
    {"lrc", "lrc", sidecar_write_lrc},
    {"json", "json", sidecar_write_json},
};

#define SIDECAR_KIND_COUNT (sizeof sidecar_kinds / sizeof sidecar_kinds[0])

static const sidecar_kind *sidecar_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < SIDECAR_KIND_COUNT; i++) {
        if (strcmp(sidecar_kinds[i].name, name) == 0)
            return &sidecar_kinds[i];
    }
    return NULL;
}

const char *aloud_sidecar_extension(const char *kind)
{
    const sidecar_kind *k = sidecar_find(kind);

    return k ? k->extension : NULL;
}

const char *aloud_sidecar_at(size_t index)
{
    return index < SIDECAR_KIND_COUNT ? sidecar_kinds[index].name : NULL;
}

/* The doc and the result describe the same text, and every span is in order. */
static aloud_status sidecar_check(const aloud_doc *doc, const aloud_render_result *res,
                                  aloud_error *err)
{
    if (res->sample_rate == 0)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "render result without a sample rate");
    if (res->paragraph_count != aloud_doc_paragraph_count(doc)
        || res->sentence_count != aloud_doc_sentence_count(doc))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "render result (%zu paragraphs, %zu sentences) does not match the "
                               "text (%zu, %zu)",
                               res->paragraph_count, res->sentence_count,
                               aloud_doc_paragraph_count(doc), aloud_doc_sentence_count(doc));
    if ((res->paragraph_count && !res->paragraphs) || (res->sentence_count && !res->sentences))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "render result without its spans");
    for (size_t i = 0; i < res->sentence_count; i++) {
        if (res->sentences[i].end < res->sentences[i].start)
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "sentence %zu ends before it starts",
                                   i + 1);
    }
    for (size_t i = 0; i < res->paragraph_count; i++) {
        if (res->paragraphs[i].end < res->paragraphs[i].start)
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                                   "paragraph %zu ends before it starts", i + 1);
    }
    return ALOUD_OK;
}

aloud_status aloud_sidecar_write(const char *kind, const char *path, const aloud_doc *doc,
                                 const aloud_render_result *res, const aloud_sidecar_info *info,
                                 aloud_outputs *set, aloud_error *err)
{
    static const aloud_sidecar_info unknown = {NULL, NULL, NULL, NULL, 0};
    const sidecar_kind *k = sidecar_find(kind);
    /* Without a set of the caller's, one of its own commits at once. */
    aloud_outputs *own = NULL;
    const char *temp = NULL;
    char brief[OUTFILE_BRIEF];
    sidecar_ctx ctx = {NULL, doc, res, info ? info : &unknown};
    aloud_status st;
    int failed;

    if (!kind || !path || !doc || !res)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "aloud_sidecar_write: missing argument");
    if (!k)
        return aloud_error_set(err, ALOUD_ERR_FORMAT, 0, 0, "unknown sidecar kind '%s'", kind);
    if (k->write == sidecar_write_cue && !ctx.info->output)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "a cue sheet needs the audio file's name");
    st = sidecar_check(doc, res, err);
    if (st == ALOUD_OK && !set) {
        set = own = aloud_outputs_create();
        if (!set)
            st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    if (st == ALOUD_OK)
        st = outputs_begin(set, path, &temp, err);
    if (st == ALOUD_OK) {
        ctx.f = fopen(temp, "w");
        if (!ctx.f)
            st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot write %s: %s",
                                 outfile_brief(path, brief, sizeof brief), strerror(errno));
    }
    if (st == ALOUD_OK) {
        k->write(&ctx);
        failed = ferror(ctx.f);
        if (fclose(ctx.f) != 0 || failed)
            st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot write %s: %s",
                                 outfile_brief(path, brief, sizeof brief), strerror(errno));
    }
    if (st != ALOUD_OK && temp)
        outputs_abandon(set, temp);
    else if (st == ALOUD_OK && own)
        st = aloud_outputs_commit(own, err);
    aloud_outputs_free(own);
    return st;
}

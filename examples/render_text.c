/*
 * render_text.c - libaloud from the outside: reads a short text aloud into
 * an audio file, one chapter per paragraph, using only the installed
 * header <aloud.h>.
 *
 *   render_text OUTPUT [TEXT]
 *
 * OUTPUT's extension picks the format (.wav, .flac, .opus, .mp3); TEXT is a
 * UTF-8 text file, a built-in article when left out. Build it against the
 * installed library (see README.md here):
 *
 *   cc render_text.c -o render_text $(pkg-config --cflags --static --libs aloud)
 */
#include <aloud.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char builtin_text[] =
    "A Short Walk\n"
    "\n"
    "By Ada Example\n"
    "\n"
    "The path leaves the village at the old mill. It climbs gently through the woods.\n"
    "\n"
    "At the top, the whole valley lies below. We rest, and then walk home.\n";

/* Reads the whole file at `path` into a new buffer (caller frees); NULL on failure. */
static char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = NULL;
    size_t used = 0, cap = 0, got;
    do {
        if (used == cap) {
            cap = cap ? cap * 2 : 4096;
            char *bigger = realloc(data, cap);
            if (!bigger) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = bigger;
        }
        got = fread(data + used, 1, cap - used, f);
        used += got;
    } while (got > 0);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(data);
        return NULL;
    }
    *size = used;
    return data;
}

/* Prints the library's error for `what`, with the position when it has one. */
static void report(const char *what, aloud_status st, const aloud_error *err)
{
    if (err->line > 0)
        fprintf(stderr, "render_text: %s: line %u, column %u: %s (%s)\n", what, err->line,
                err->column, err->message, aloud_strerror(st));
    else
        fprintf(stderr, "render_text: %s: %s (%s)\n", what, err->message, aloud_strerror(st));
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: render_text OUTPUT [TEXT]\n");
        return 2;
    }
    const char *output = argv[1];
    const aloud_format *format = aloud_format_by_path(output);
    if (!format) {
        fprintf(stderr, "render_text: %s: unknown extension; try .wav\n", output);
        return 2;
    }

    char *owned = NULL;
    const char *text = builtin_text;
    size_t size = sizeof builtin_text - 1;
    if (argc == 3) {
        owned = read_file(argv[2], &size);
        if (!owned) {
            fprintf(stderr, "render_text: cannot read %s\n", argv[2]);
            return 1;
        }
        text = owned;
    }

    aloud_error err = {0};
    aloud_doc *doc = NULL;
    aloud_render_result res = {0};
    int rc = 1;

    /* Paragraphs and sentences, then what espeak-ng is to say (no lexicon). */
    aloud_status st = aloud_doc_parse(text, size, &doc, &err);
    if (st != ALOUD_OK) {
        report("parse", st, &err);
        goto done;
    }
    st = aloud_doc_speak(doc, NULL, &err);
    if (st != ALOUD_OK) {
        report("speak", st, &err);
        goto done;
    }

    /* The built-in narrator: espeak-ng's "en-us", no presets folder needed. */
    aloud_voice voice;
    aloud_voice_defaults(&voice);
    st = aloud_voice_check(&voice, &err);
    if (st != ALOUD_OK) {
        report("voice", st, &err);
        goto done;
    }

    aloud_render_opts opts = {0};
    opts.voice = &voice;
    opts.format = format;
    opts.output = output;
    opts.software = "render_text (libaloud " ALOUD_VERSION ")";
    opts.jobs = 0; /* one worker process per CPU */
    st = aloud_render(doc, &opts, &res, &err);
    if (st != ALOUD_OK) {
        report(output, st, &err);
        goto done;
    }

    printf("%s: %s, %.2f s, %zu chapters (espeak-ng %s)\n", output, aloud_format_name(format),
           (double)res.frames / res.sample_rate, res.paragraph_count, aloud_engine_version());
    for (size_t p = 0; p < res.paragraph_count; p++)
        printf("  %6.2f s  %s\n", (double)res.paragraphs[p].start / res.sample_rate,
               aloud_doc_paragraph(doc, p)->chapter_title);
    rc = 0;

done:
    aloud_render_result_free(&res);
    aloud_doc_free(doc);
    free(owned);
    return rc;
}

/* cli_run.c - runs what the parsed command line says. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_common.h"
#include "cli_feed.h"
#include "cli_render.h"
#include "cli_run.h"

void cli_usage(FILE *out)
{
    fputs("Usage: aloud [OPTIONS] ARTICLE [MORE ...]\n"
          "       aloud --sentences [--lang CODE] FILE|-\n"
          "       aloud --speak-text [--lang CODE] FILE|-\n"
          "       aloud --chapters AUDIO\n"
          "       aloud --list-voices\n"
          "       aloud feed DIR [FEED OPTIONS]\n"
          "\n"
          "Reads an article aloud with espeak-ng into one audio file with one chapter\n"
          "per paragraph. By default it writes out/<name>.flac. An article is UTF-8\n"
          "text, Markdown (.md), a web page (.html: its main text) or an EPUB book\n"
          "(.epub: one chapter per entry of its table of contents).\n"
          "\n"
          "Output:\n"
          "  -o, --output PATH        write here; the extension picks the format. With\n"
          "                           several inputs, or ending in '/', a folder that\n"
          "                           gets one <name>.<ext> per input; '-' is standard\n"
          "                           output (with --format)\n"
          "  -f, --format NAME        wav, flac, opus, mp3, m4b or m4a (overrides the\n"
          "                           extension)\n"
          "      --bitrate KBPS       for opus, mp3, m4b and m4a\n"
          "      --loudness LUFS|off  integrated loudness to reach (default -19), true\n"
          "                           peaks limited to -1.5 dBTP; off: espeak-ng's level\n"
          "      --max-chapters N     at most N chapters: consecutive paragraphs grouped\n"
          "                           (default: one per paragraph up to the format's limit)\n"
          "      --cover IMAGE        embed a JPEG or PNG as the cover\n"
          "      --sidecars LIST      also write any of cue,vtt,srt,lrc,json beside the audio\n"
          "      --json               one JSON line per input on stdout\n"
          "Voice:\n"
          "      --voice NAME         a preset (see --list-voices), a preset file, or an\n"
          "                           espeak-ng voice such as en-us or en+f3\n"
          "      --lang CODE          the text's language (de, fr, pt-BR, zh...); by\n"
          "                           default --voice's, else detected from the text,\n"
          "                           and the voice is then espeak-ng's for it\n"
          "      --rate WPM           speaking rate, 80 to 450 words per minute\n"
          "      --pitch N            base pitch, 0 to 99\n"
          "      --sentence-pause MS  silence after each sentence\n"
          "      --paragraph-pause MS silence after each paragraph's last sentence\n"
          "      --lexicon FILE       pronunciations to apply (repeatable; adds to the\n"
          "                           preset's own lexicon)\n"
          "      --emoji drop|read    leave emoji out of the speech (default) or read\n"
          "                           their names\n"
          "Text:\n"
          "      --lang CODE          the text's language, such as de, fr, pt-BR or zh:\n"
          "                           its abbreviations, dates, quotes and sentence marks,\n"
          "                           its voice and its spoken-text rules (default: the\n"
          "                           voice's language, else the one the input declares,\n"
          "                           else detected)\n",
          out);
    fputs("Speed:\n"
          "  -j, --jobs N             worker processes (default: one per CPU); the\n"
          "                           output is the same for any N\n"
          "Podcast feed (RSS with chapters and transcripts, see the README):\n"
          "      --feed DIR           render into DIR with the json, vtt and srt sidecars\n"
          "                           and update DIR/feed.xml; 'aloud feed DIR' rebuilds it\n"
          "      --feed-title T       the feed's title (default: the folder's name)\n"
          "      --feed-author A      its author\n"
          "      --feed-description D its description (default: the title)\n"
          "      --feed-lang L        its language, such as en or en-us\n"
          "      --base-url URL       where DIR is served, http:// or https://\n"
          "      --cover IMAGE        JPEG or PNG: the episode's image with --feed, the\n"
          "                           feed's with 'aloud feed'; settings are kept in\n"
          "                           DIR/feed.conf for later updates\n"
          "Other modes:\n"
          "      --sentences          print one sentence per line, a blank line between\n"
          "                           paragraphs, and exit without audio\n"
          "      --speak-text         the same, as handed to espeak-ng (spoken-text rules\n"
          "                           and lexicons applied)\n"
          "      --chapters           print an audio file's duration, tags and chapters\n"
          "      --list-voices        list presets and espeak-ng voices\n"
          "      --skip-bad           a sentence the engine cannot speak becomes silence\n"
          "                           (and a warning) instead of failing the render\n"
          "      --max-input SIZE     refuse larger inputs (default 64M)\n"
          "      --from KIND          text, markdown, html or epub, whatever the file's\n"
          "                           extension says (needed for '-')\n"
          "  -q, --quiet              no progress and no summary\n"
          "  -v, --verbose            also print each chapter's position and what the\n"
          "                           spoken-text rules rewrote\n"
          "  -h, --help               this text\n"
          "  -V, --version            version of aloud and espeak-ng\n"
          "\n"
          "Exit status: 0 done, 1 rendering or writing failed (with several inputs: any\n"
          "input failed), 2 bad usage or bad input, 128+N stopped by signal N (130 SIGINT,\n"
          "143 SIGTERM, 129 SIGHUP, 141 SIGPIPE).\n",
          out);
}

/* cli_load_doc() that prints its error; returns the exit code. */
static int cli_load_doc_or_say(const cli_options *opts, aloud_doc **doc, cli_lang *lang)
{
    const char *input = opts->input;
    aloud_error err = {0};
    aloud_status st = cli_load_doc(opts, input, doc, lang, &err);
    if (st != ALOUD_OK)
        cli_error(cli_display_name(input), &err);
    return cli_exit_for(st);
}

/* --sentences prints the text as written; --speak-text what espeak-ng is handed. */
static int cli_run_sentences(const cli_options *opts)
{
    aloud_doc *doc = NULL;
    cli_lang cl;
    int rc = cli_load_doc_or_say(opts, &doc, &cl);
    if (rc != CLI_EXIT_OK)
        return rc;
    bool spoken = opts->mode == CLI_MODE_SPEAK_TEXT;
    aloud_lexicon *lex = NULL;
    cli_lang_lexicons others = {.count = 0};
    aloud_voice voice;
    rc = cli_language(opts, opts->input, doc, &voice, &lex, &others, &cl);
    aloud_error err = {0};
    aloud_speak_opts so = {opts->read_emoji, cli_lang_lexicon_for, &others};
    aloud_speak_stats stats;
    memset(&stats, 0, sizeof stats);
    if (rc == CLI_EXIT_OK && spoken && aloud_doc_speak_with(doc, lex, &so, &stats, &err) != ALOUD_OK) {
        cli_error(NULL, &err);
        rc = CLI_EXIT_FAILURE;
    }
    if (rc == CLI_EXIT_OK && spoken && opts->verbosity > 0) {
        cli_lexicon_report(lex);
        cli_lang_lexicons_report(&others);
        cli_speak_report(&stats);
    }
    aloud_lexicon_free(lex);
    cli_lang_lexicons_free(&others);
    if (rc != CLI_EXIT_OK) {
        aloud_doc_free(doc);
        return rc;
    }
    for (size_t p = 0; p < aloud_doc_paragraph_count(doc); p++) {
        const aloud_paragraph *para = aloud_doc_paragraph(doc, p);
        if (p > 0)
            putchar('\n');
        for (size_t i = 0; i < para->sentence_count; i++) {
            const aloud_sentence *sen = aloud_doc_sentence(doc, para->first_sentence + i);
            puts(spoken ? sen->spoken : sen->text);
        }
    }
    aloud_doc_free(doc);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "aloud: error: cannot write to standard output: %s\n", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static int cli_run_chapters(const cli_options *opts)
{
    aloud_media *m = NULL;
    aloud_error err = {0};
    aloud_status st = aloud_media_read(opts->input, &m, &err);
    if (st != ALOUD_OK) {
        cli_error(opts->input, &err);
        return cli_exit_for(st);
    }
    char t[32];
    double rate = m->sample_rate ? (double)m->sample_rate : 1.0;
    printf("file: %s\n", opts->input);
    printf("format: %s, %u Hz, %u channel%s\n", m->format, m->sample_rate, m->channels,
           m->channels == 1 ? "" : "s");
    printf("duration: %s (%llu frames)\n", cli_format_time((double)m->frames / rate, t, sizeof t),
           (unsigned long long)m->frames);
    if (m->title)
        printf("title: %s\n", m->title);
    if (m->author)
        printf("author: %s\n", m->author);
    if (m->software)
        printf("software: %s\n", m->software);
    printf("chapters: %zu\n", m->chapter_count);
    for (size_t i = 0; i < m->chapter_count; i++)
        printf("%4zu  %s  %10llu  %s\n", i + 1,
               cli_format_time((double)m->chapters[i].frame / rate, t, sizeof t),
               (unsigned long long)m->chapters[i].frame, m->chapters[i].title);
    aloud_media_free(m);
    return CLI_EXIT_OK;
}

static void cli_print_voice(void *ctx, const char *kind, const char *name, const char *language,
                            const char *description)
{
    const char **last_kind = ctx;
    if (!*last_kind || strcmp(*last_kind, kind) != 0) {
        printf("%s%s:\n", *last_kind ? "\n" : "", strcmp(kind, "preset") == 0
                                                      ? "Presets (--voice NAME)"
                                                      : "espeak-ng voices (--voice NAME[+variant])");
        *last_kind = kind;
    }
    printf("  %-22s %-10s %s\n", name, language ? language : "", description ? description : "");
}

static int cli_run_list_voices(void)
{
    char dir[4096];
    const char *last_kind = NULL;
    aloud_error err = {0};
    aloud_status st = aloud_voice_list(cli_presets_dir(dir, sizeof dir), cli_print_voice,
                                       &last_kind, &err);
    if (st != ALOUD_OK) {
        cli_error(NULL, &err);
        return cli_exit_for(st);
    }
    return CLI_EXIT_OK;
}

int cli_run(const cli_options *opts)
{
    switch (opts->mode) {
    case CLI_MODE_HELP:
        cli_usage(stdout);
        return CLI_EXIT_OK;
    case CLI_MODE_VERSION:
        printf("aloud %s (espeak-ng %s)\n", ALOUD_VERSION, aloud_engine_version());
        return CLI_EXIT_OK;
    case CLI_MODE_LIST_VOICES: return cli_run_list_voices();
    case CLI_MODE_SENTENCES:
    case CLI_MODE_SPEAK_TEXT:
        return cli_run_sentences(opts);
    case CLI_MODE_CHAPTERS: return cli_run_chapters(opts);
    case CLI_MODE_RENDER: return cli_run_render(opts);
    case CLI_MODE_FEED: return cli_run_feed(opts);
    }
    return CLI_EXIT_FAILURE;
}

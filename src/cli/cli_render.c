/* cli_render.c - rendering one input or a batch, with progress, summaries,
 * sidecars and JSON result lines. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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

/* What every render of one run shares, prepared once. */
typedef struct cli_setup {
    const cli_options *opts;
    const aloud_format *format;
    aloud_voice voice;
    aloud_lexicon *lex;  /* NULL for none */
    char software[96];
    bool progress;       /* draw progress on stderr */
} cli_setup;

static double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Creates the folders above `path`, like mkdir -p on its dirname. */
static aloud_status cli_make_parents(const char *path, aloud_error *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return ALOUD_OK;
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        bool end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        *p = '\0';
        struct stat sb;
        if (stat(dir, &sb) != 0 && mkdir(dir, 0777) != 0 && errno != EEXIST)
            return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot create folder %s: %s", dir,
                                   strerror(errno));
        if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
            return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "%s is not a folder", dir);
        if (end)
            return ALOUD_OK;
        *p = '/';
    }
}

/* ------------------------------------------------------------- progress */

typedef struct cli_progress {
    double started;
    double last_draw;
    bool drawn;
} cli_progress;

char *cli_progress_format(const aloud_progress *p, double elapsed, char *buf, size_t size)
{
    char t[32];
    double audio = (double)p->frames_done / (double)(p->sample_rate ? p->sample_rate : 1);
    double eta = p->sentences_done ? elapsed * (double)(p->sentences_total - p->sentences_done) /
                                         (double)p->sentences_done
                                   : 0.0;
    snprintf(buf, size, "%zu/%zu sentences, %s audio, %.0fx realtime, ETA %.0f s",
             p->sentences_done, p->sentences_total, cli_format_time(audio, t, sizeof t),
             elapsed > 0 ? audio / elapsed : 0.0, eta);
    return buf;
}

/* Redraws the progress line at most four times a second. */
static int cli_progress_draw(void *ctx, const aloud_progress *p)
{
    cli_progress *cp = ctx;
    double now = cli_now();
    if (now - cp->last_draw < 0.25 && p->sentences_done < p->sentences_total)
        return 0;
    cp->last_draw = now;
    char line[160];
    fprintf(stderr, "\r\033[K%s", cli_progress_format(p, now - cp->started, line, sizeof line));
    cp->drawn = true;
    return 0;
}

static void cli_progress_clear(cli_progress *cp)
{
    if (cp->drawn)
        fputs("\r\033[K", stderr);
    cp->drawn = false;
}

/* ---------------------------------------------------------- one render */

/* The result line of --json, written with one write so that batch
 * children's lines never interleave. Returns false, having said why on
 * stderr, when the line could not be written (a full disk, a closed pipe). */
static bool cli_json_result(const char *input, const char *output, const aloud_render_result *res,
                            const char *lang, const char *voice, const char *error)
{
    char *line = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&line, &size);
    if (!f) {
        fprintf(stderr, "aloud: error: cannot make the --json result line: %s\n",
                strerror(errno));
        return false;
    }
    fputs("{\"input\": ", f);
    aloud_json_put_string(f, cli_display_name(input));
    if (error) {
        fputs(", \"ok\": false, \"error\": ", f);
        aloud_json_put_string(f, error);
        fputs("}\n", f);
    } else {
        fputs(", \"ok\": true, \"output\": ", f);
        aloud_json_put_string(f, output);
        fprintf(f, ", \"duration\": %.3f, \"chapters\": %zu, \"lang\": ",
                (double)res->frames / (double)res->sample_rate, res->chapter_count);
        aloud_json_put_string(f, lang);
        fputs(", \"voice\": ", f);
        aloud_json_put_string(f, voice);
        fputs("}\n", f);
    }
    if (fclose(f) != 0) {
        free(line);
        fprintf(stderr, "aloud: error: cannot make the --json result line: out of memory\n");
        return false;
    }
    errno = 0;
    fwrite(line, 1, size, stdout);
    bool ok = fflush(stdout) == 0 && !ferror(stdout);
    int e = errno ? errno : EIO;
    free(line);
    /* A reader that left (SIGPIPE) ends the run as that signal does, without a word. */
    if (!ok && !cli_stop_signal)
        fprintf(stderr, "aloud: error: cannot write the --json result line to standard output: "
                        "%s\n", strerror(e));
    return ok;
}

/* The sidecar of `kind` beside the audio: the same path with its extension. */
static void cli_sidecar_path(const char *audio, const char *kind, char *path, size_t size)
{
    const char *slash = strrchr(audio, '/');
    const char *dot = strrchr(audio, '.');
    size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - audio) : strlen(audio);
    snprintf(path, size, "%.*s.%s", (int)stem, audio, aloud_sidecar_extension(kind));
}

/* The next kind of a --sidecars list into `kind`, moving *list past it;
 * false at the end. */
static bool cli_next_sidecar(const char **list, char *kind, size_t size)
{
    if (!*list || !**list)
        return false;
    size_t len = strcspn(*list, ",");
    snprintf(kind, size, "%.*s", (int)len, *list);
    *list += len + ((*list)[len] == ',');
    return true;
}

/* Where the sidecar of `kind` goes in `outs`: beside the audio, or where
 * the audio goes when that is discarded (-o /dev/null). */
static void cli_sidecar_dest(const aloud_outputs *outs, const char *audio, const char *kind,
                             char *path, size_t size)
{
    if (aloud_outputs_discards(outs, audio))
        snprintf(path, size, "%s", audio);
    else
        cli_sidecar_path(audio, kind, path, size);
}

/*
 * Registers the input, the audio and its sidecars in `outs`, so that a
 * destination that is a folder, a device or a FIFO, the input, or another
 * output of the run is refused before anything is spoken.
 */
static aloud_status cli_outputs_register(const cli_setup *su, const char *input,
                                         const char *audio, aloud_outputs *outs, aloud_error *err)
{
    const char *list = su->opts->sidecars;
    char kind[16], path[4200];
    aloud_status st = aloud_outputs_add_input(outs, input, err);
    if (st == ALOUD_OK)
        st = aloud_outputs_add(outs, audio, err);
    while (st == ALOUD_OK && cli_next_sidecar(&list, kind, sizeof kind)) {
        cli_sidecar_dest(outs, audio, kind, path, sizeof path);
        st = aloud_outputs_add(outs, path, err);
    }
    return st;
}

static aloud_status cli_sidecars(const cli_setup *su, const aloud_voice *voice, const char *input,
                                 const char *audio, const aloud_doc *doc,
                                 const aloud_render_result *res, aloud_outputs *outs,
                                 aloud_error *err)
{
    const char *list = su->opts->sidecars;
    aloud_sidecar_info info = {cli_display_name(input), audio, aloud_format_name(su->format),
                               voice->name, voice->rate};
    char kind[16];
    while (cli_next_sidecar(&list, kind, sizeof kind)) {
        char path[4200];
        cli_sidecar_dest(outs, audio, kind, path, sizeof path);
        aloud_status st = aloud_sidecar_write(kind, path, doc, res, &info, outs, err);
        if (st != ALOUD_OK)
            return st;
        size_t group = aloud_sidecar_cue_group(res->paragraph_count);
        if (strcmp(kind, "cue") == 0 && group > 1 && su->opts->verbosity >= 0)
            fprintf(stderr, "aloud: warning: %s: a cue sheet holds 99 tracks: it groups the %zu "
                            "paragraphs %zu a track\n",
                    path, res->paragraph_count, group);
    }
    return ALOUD_OK;
}

static void cli_report(const cli_setup *su, const aloud_lexicon *lex,
                       const cli_lang_lexicons *others, const char *input, const char *path,
                       const aloud_doc *doc, const aloud_render_result *res, double seconds)
{
    char t[32];
    double rate = (double)res->sample_rate;
    int verbosity = su->opts->verbosity;
    if (verbosity > 0) {
        for (size_t c = 0; c < res->chapter_count; c++) {
            size_t p = res->chapter_paragraphs[c];
            fprintf(stderr, "aloud: chapter %zu at frame %llu (%s): %s\n", c + 1,
                    (unsigned long long)res->paragraphs[p].start,
                    cli_format_time((double)res->paragraphs[p].start / rate, t, sizeof t),
                    aloud_doc_paragraph(doc, p)->chapter_title);
        }
        cli_lexicon_report(lex);
        cli_lang_lexicons_report(others);
    }
    /* Chapters may start at every paragraph (in an EPUB, at each entry of its table of contents). */
    size_t starts = 0;
    for (size_t p = 0; p < res->paragraph_count; p++)
        starts += aloud_doc_paragraph(doc, p)->starts_chapter != 0;
    if (verbosity >= 0 && res->chapter_count < starts) {
        size_t cap = aloud_format_chapter_cap(su->format);
        if (su->opts->max_chapters && su->opts->max_chapters < cap)
            fprintf(stderr, "aloud: %s: %zu paragraphs grouped into %zu chapters (--max-chapters)\n",
                    path, starts, res->chapter_count);
        else
            fprintf(stderr, "aloud: %s: %zu paragraphs grouped into %zu chapters: %s files "
                            "hold at most %zu for the players that read them (--max-chapters)\n",
                    path, starts, res->chapter_count, aloud_format_name(su->format), cap);
    }
    for (size_t i = 0; verbosity >= 0 && i < res->skipped_count; i++) {
        const aloud_sentence *sen = aloud_doc_sentence(doc, res->skipped[i].sentence);
        fprintf(stderr, "aloud: warning: %s:%u:%u: sentence skipped (silence instead): %s\n",
                cli_display_name(input), sen->line, sen->column, res->skipped[i].reason);
    }
    if (verbosity >= 0 && res->retries > 0)
        fprintf(stderr, "aloud: warning: %s: %u unit%s of sentences retried after a worker "
                        "crashed or hung\n",
                path, res->retries, res->retries == 1 ? "" : "s");
    if (verbosity >= 0) {
        double audio = (double)res->frames / rate;
        fprintf(stderr,
                "aloud: wrote %s: %s of audio, %zu chapters, %zu sentences, in %.2f s "
                "(%.0fx realtime)\n",
                path, cli_format_time(audio, t, sizeof t), res->chapter_count,
                res->sentence_count, seconds, seconds > 0 ? audio / seconds : 0.0);
    }
}

/* Says what the engine guard changed: dropped characters always (text is
 * never left out silently), the rest with -v. */
static void cli_guard_report(const cli_options *opts, const char *input, const aloud_doc *doc)
{
    const aloud_guard_note *notes;
    size_t n = aloud_doc_guard_notes(doc, &notes);
    for (size_t i = 0; i < n && opts->verbosity >= 0; i++) {
        const aloud_guard_note *g = &notes[i];
        const aloud_sentence *sen = aloud_doc_sentence(doc, g->sentence);
        if (g->chars_dropped)
            fprintf(stderr, "aloud: warning: %s:%u:%u: left out %zu character%s that espeak-ng "
                            "cannot speak safely\n",
                    cli_display_name(input), sen->line, sen->column, g->chars_dropped,
                    g->chars_dropped == 1 ? "" : "s");
        if (opts->verbosity > 0 && (g->words_split || g->digit_runs_split || g->digits_replaced))
            fprintf(stderr, "aloud: %s:%u:%u: for espeak-ng, split %zu long word%s and %zu digit "
                            "run%s, read %zu native digit%s as ASCII\n",
                    cli_display_name(input), sen->line, sen->column, g->words_split,
                    g->words_split == 1 ? "" : "s", g->digit_runs_split,
                    g->digit_runs_split == 1 ? "" : "s", g->digits_replaced,
                    g->digits_replaced == 1 ? "" : "s");
    }
}

/* ------------------------------------------------------ standard output */

/*
 * -o -: the file is rendered into a private folder in $TMPDIR (else /tmp),
 * then opened, unlinked and copied to standard output. Every container but
 * Ogg Opus goes back to its header once the timeline is known (sizes,
 * STREAMINFO, the ID3 tag, MP4's moov), so the whole file is spooled first,
 * on disk, never in memory.
 */
static aloud_status cli_stdout_spool(const aloud_format *format, char *dir, size_t dir_size,
                                     char *path, size_t size, aloud_error *err)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    snprintf(dir, dir_size, "%s/aloud-stdout.XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        aloud_status st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                                          "cannot make a spool folder in %s for standard "
                                          "output: %s",
                                          tmp, strerror(errno));
        dir[0] = '\0';
        return st;
    }
    int n = snprintf(path, size, "%s/stdout.%s", dir, aloud_format_extension(format));
    if (n < 0 || (size_t)n >= size) {
        (void)rmdir(dir);
        dir[0] = '\0';
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "TMPDIR is too long a path: %s", tmp);
    }
    return ALOUD_OK;
}

/* Removes what the spool left (the file when not yet unlinked, the folder). */
static void cli_stdout_unspool(char *dir, const char *path)
{
    if (!dir[0])
        return;
    (void)unlink(path);
    (void)rmdir(dir);
    dir[0] = '\0';
}

/* Copies the spooled file to standard output, unlinking it first. */
static aloud_status cli_stdout_copy(char *dir, const char *path, aloud_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int e = errno;
    char buf[65536];
    aloud_status st = ALOUD_OK;

    cli_stdout_unspool(dir, path);
    if (fd < 0)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot read the spooled output: %s",
                               strerror(e));
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR && !cli_stop_signal)
            continue;
        if (n <= 0) {
            if (n < 0)
                st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                                     "cannot read the spooled output: %s", strerror(errno));
            break;
        }
        for (ssize_t done = 0; done < n && st == ALOUD_OK;) {
            ssize_t w = write(STDOUT_FILENO, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR && !cli_stop_signal)
                continue;
            if (w <= 0)
                st = cli_stop_signal == SIGPIPE || (w < 0 && errno == EPIPE)
                         ? aloud_error_set(err, cli_stop_signal ? ALOUD_ERR_CANCELLED
                                                                : ALOUD_ERR_WRITE,
                                           0, 0, "its reader closed it before the end")
                     : cli_stop_signal ? aloud_error_set(err, ALOUD_ERR_CANCELLED, 0, 0,
                                                       "stopped by a signal")
                                     : aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                                                       "cannot write to standard output: %s",
                                                       strerror(errno));
            else
                done += w;
        }
        if (st != ALOUD_OK)
            break;
    }
    close(fd);
    return st;
}

/* An input on its way to a render: read, parsed, spoken, its outputs
 * registered; or what went wrong, to be said when its turn comes. */
typedef struct cli_item {
    const char *input;
    char path[4096];
    aloud_doc *doc;
    aloud_outputs *outs;
    aloud_status st;
    aloud_error err;
    const char *where;   /* what the error names: the input, the output, or NULL */
    char spool[4096];    /* -o -: the private folder the file is written in; "" for none */
    double loading;      /* seconds spent loading, counted in the render's time */
    aloud_voice voice;   /* the document's own: in a batch, each input may be in */
    aloud_lexicon *lex;  /* another language (cli_language) */
    cli_lang_lexicons others; /* its paragraphs' other languages' (cli_language) */
    cli_lang lang;
    int said;            /* non-zero: the error is said, and this is the exit code */
} cli_item;

/* Loads `input` into `it` (zeroed first); it->st says how that went. */
static void cli_item_load(const cli_setup *su, const char *input, cli_item *it)
{
    const cli_options *opts = su->opts;
    double started = cli_now();
    memset(it, 0, sizeof *it);
    it->input = input;
    it->where = cli_display_name(input);
    it->outs = aloud_outputs_create();
    aloud_status st = ALOUD_OK;
    aloud_error *err = &it->err;
    if (!it->outs)
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    if (st == ALOUD_OK && opts->output_stdout)
        st = cli_stdout_spool(su->format, it->spool, sizeof it->spool, it->path, sizeof it->path,
                              err);
    else if (st == ALOUD_OK &&
             !cli_output_path(opts, input, su->format, it->path, sizeof it->path))
        st = aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "output path too long");
    if (st == ALOUD_OK)
        st = cli_load_doc(opts, input, &it->doc, &it->lang, err);
    /* The language, voice and lexicons; their messages are printed. */
    it->voice = su->voice;
    if (st == ALOUD_OK) {
        int rc = cli_language(opts, input, it->doc, &it->voice, &it->lex, &it->others,
                              &it->lang);
        if (rc != CLI_EXIT_OK) {
            it->said = rc;
            st = ALOUD_ERR_VOICE;
        }
    }
    /* Its messages name the file. */
    if (st == ALOUD_OK && (st = cli_outputs_register(su, input, it->path, it->outs, err)) != ALOUD_OK)
        it->where = NULL;
    /* The episode's image, checked and copied before anything is spoken. */
    if (st == ALOUD_OK && opts->feed_dir && opts->cover) {
        st = cli_make_parents(it->path, err);
        if (st == ALOUD_OK)
            st = aloud_feed_add_cover(it->path, opts->cover, it->outs, err);
        if (st != ALOUD_OK)
            it->where = NULL;
    }
    if (st == ALOUD_OK) {
        aloud_speak_opts so = {opts->read_emoji, cli_lang_lexicon_for, &it->others};
        aloud_speak_stats stats;
        memset(&stats, 0, sizeof stats);
        st = aloud_doc_speak_with(it->doc, it->lex, &so, &stats, err);
        if (st == ALOUD_OK && opts->verbosity > 0)
            cli_speak_report(&stats);
    }
    if (st == ALOUD_OK)
        cli_guard_report(opts, input, it->doc);
    if (st == ALOUD_OK) {
        it->where = it->path;
        st = cli_make_parents(it->path, err);
    }
    it->st = st;
    it->loading = cli_now() - started;
}

static void cli_item_free(cli_item *it)
{
    cli_stdout_unspool(it->spool, it->path);
    aloud_lexicon_free(it->lex);
    cli_lang_lexicons_free(&it->others);
    aloud_outputs_free(it->outs);
    aloud_doc_free(it->doc);
    memset(it, 0, sizeof *it);
}

/*
 * Renders a loaded input with `engine` (telling it that `next` follows,
 * when not NULL): speaks, writes the audio and its sidecars, commits them
 * together, and reports. Returns the exit code.
 */
static int cli_item_render(const cli_setup *su, cli_item *it, aloud_engine *engine,
                           const cli_item *next)
{
    const cli_options *opts = su->opts;
    const char *input = it->input;
    const char *path = it->path;
    aloud_error *err = &it->err;
    aloud_status st = it->st;
    aloud_render_result res;
    memset(&res, 0, sizeof res);
    cli_progress progress = {cli_now() - it->loading, 0.0, false};

    /* cli_language() said what was wrong. */
    if (it->said) {
        if (opts->json)
            (void)cli_json_result(input, NULL, NULL, NULL, NULL,
                                  "cannot choose the language or voice");
        return it->said;
    }
    if (st == ALOUD_OK) {
        aloud_render_opts ro = {
            .voice = &it->voice,
            .format = su->format,
            .output = path,
            .software = su->software,
            .jobs = opts->jobs,
            .bitrate = opts->bitrate,
            .skip_bad = opts->skip_bad,
            .stop = &cli_stop_signal,
            .progress = su->progress ? cli_progress_draw : NULL,
            .progress_ctx = &progress,
            .outputs = it->outs,
            .engine = engine,
            .next = next ? next->doc : NULL,
            .next_voice = next ? &next->voice : NULL,
            .loudness_off = opts->loudness_off,
            .loudness = opts->loudness,
            .max_chapters = opts->max_chapters,
            .cover = opts->cover,
        };
        st = aloud_render(it->doc, &ro, &res, err);
        cli_progress_clear(&progress);
        /* A sentence the engine could not speak is named in the input. */
        if (st != ALOUD_OK && err->line > 0)
            it->where = cli_display_name(input);
    }
    if (st == ALOUD_OK)
        st = cli_sidecars(su, &it->voice, input, path, it->doc, &res, it->outs, err);
    /* Nothing is committed once a signal asked to stop. */
    if (st == ALOUD_OK && cli_stop_signal)
        st = aloud_error_set(err, ALOUD_ERR_CANCELLED, 0, 0, "stopped by a signal");
    if (st == ALOUD_OK && (st = aloud_outputs_commit(it->outs, err)) != ALOUD_OK)
        it->where = NULL;
    if (st == ALOUD_OK && it->spool[0]) {
        st = cli_stdout_copy(it->spool, it->path, err);
        it->where = "standard output";
    }
    cli_stdout_unspool(it->spool, it->path);
    if (opts->output_stdout)
        path = "standard output";

    if (st != ALOUD_OK) {
        char text[1024];
        cli_error_text(it->where, err, text, sizeof text);
        fprintf(stderr, "aloud: error: %s\n", text);
        /* The render's failure decides the exit code, written or not. */
        if (opts->json)
            (void)cli_json_result(input, NULL, NULL, NULL, NULL, text);
    } else {
        cli_report(su, it->lex, &it->others, input, path, it->doc, &res,
                   cli_now() - progress.started);
        if (opts->json &&
            !cli_json_result(input, path, &res, it->lang.lang, it->voice.espeak, NULL))
            st = cli_stop_signal ? ALOUD_ERR_CANCELLED : ALOUD_ERR_WRITE;
    }
    aloud_render_result_free(&res);
    return cli_exit_for(st);
}

/* ---------------------------------------------------------------- batch */

/* Two inputs must not write the same file: refuse before rendering any. */
static int cli_check_distinct(const cli_setup *su)
{
    const cli_options *opts = su->opts;
    char a[4096], b[4096];
    for (size_t i = 0; i < opts->input_count; i++) {
        if (!cli_output_path(opts, opts->inputs[i], su->format, a, sizeof a))
            continue;
        for (size_t j = 0; j < i; j++) {
            if (cli_output_path(opts, opts->inputs[j], su->format, b, sizeof b) &&
                strcmp(a, b) == 0) {
                fprintf(stderr, "aloud: error: %s and %s would both be written to %s\n",
                        opts->inputs[j], opts->inputs[i], a);
                return CLI_EXIT_USAGE;
            }
        }
    }
    return CLI_EXIT_OK;
}

/* Whether `input` may be read before its turn: a regular file, which
 * cannot block (standard input and FIFOs wait for their writers). */
static bool cli_loads_early(const char *input)
{
    struct stat sb;
    return strcmp(input, "-") != 0 && stat(input, &sb) == 0 && S_ISREG(sb.st_mode);
}

/*
 * The reader of our standard output (or error) left, as in
 * `aloud --json *.txt | head -1`: SIGPIPE stopped the render of `input`.
 * A single render ends as that signal would, without a word; a batch says
 * why it stops short.
 */
static void cli_say_pipe_closed(const char *input)
{
    struct pollfd out = {STDOUT_FILENO, POLLOUT, 0};
    /* A pipe without a reader polls as an error on its writing end. */
    bool stdout_gone = poll(&out, 1, 0) == 1 && (out.revents & POLLERR);
    fprintf(stderr, "aloud: error: %s: %s is a pipe nobody reads any more (SIGPIPE): the batch "
                    "stops\n",
            cli_display_name(input),
            stdout_gone ? "standard output" : "standard output or standard error");
}

/*
 * Renders every input in turn with one engine: espeak-ng and its helper
 * process start once for the whole run, and while one input's last
 * sentences are spoken, the next one's first start on the free cores (its
 * text is read one input ahead). A bad input is named and the others still
 * render. Returns 0 when every input rendered, 1 when any failed, 128+N
 * when signal N stopped the run.
 */
static int cli_run_inputs(const cli_setup *su)
{
    const cli_options *opts = su->opts;
    aloud_engine *engine = NULL;
    aloud_error err = {0};
    if (aloud_engine_create(opts->jobs, &engine, &err) != ALOUD_OK) {
        cli_error(NULL, &err);
        return CLI_EXIT_FAILURE;
    }
    cli_item items[2];
    cli_item *cur = &items[0], *next = &items[1];
    size_t n = opts->input_count;
    int rc = CLI_EXIT_OK;
    bool failed = false;
    memset(items, 0, sizeof items);
    cli_item_load(su, opts->inputs[0], cur);
    for (size_t i = 0; i < n && !cli_stop_signal; i++) {
        bool ahead = i + 1 < n && cli_loads_early(opts->inputs[i + 1]);
        if (ahead)
            cli_item_load(su, opts->inputs[i + 1], next);
        rc = cli_item_render(su, cur, engine, ahead && next->st == ALOUD_OK ? next : NULL);
        failed |= rc != CLI_EXIT_OK;
        if (cli_stop_signal == SIGPIPE && n > 1)
            cli_say_pipe_closed(cur->input);
        cli_item_free(cur);
        if (i + 1 < n && !ahead && !cli_stop_signal)
            cli_item_load(su, opts->inputs[i + 1], next);
        cli_item *t = cur;
        cur = next;
        next = t;
    }
    cli_item_free(cur);
    cli_item_free(next);
    aloud_engine_free(engine);
    if (cli_stop_signal)
        return 128 + (int)cli_stop_signal;
    if (n == 1)
        return rc;
    return failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* The handler only notes the signal; the render loop, the writers and the batch loop look. */
static void cli_on_signal(int signo)
{
    cli_stop_signal = signo;
}

/* Stops on `signo` through cli_on_signal, unless whoever started us ignores
 * it: `nohup aloud ...` must outlive its terminal, and a parent that ignores
 * SIGPIPE wants EPIPE from writes instead. */
static void cli_signal_catch(int signo, const struct sigaction *sa)
{
    struct sigaction old;
    if (sigaction(signo, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
        return;
    sigaction(signo, sa, NULL);
}

static void cli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cli_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking wait returns to look at the flag */
    cli_signal_catch(SIGINT, &sa);
    cli_signal_catch(SIGTERM, &sa);
    /* The terminal went away: stop as for SIGTERM, leaving nothing behind. */
    cli_signal_catch(SIGHUP, &sa);
    /* stdout or stderr is a pipe whose reader left (| head): writing on is
     * pointless, and the default would end us with a temporary file left. */
    cli_signal_catch(SIGPIPE, &sa);
}

int cli_run_render(const cli_options *opts)
{
    cli_signals_install();
    cli_setup su;
    memset(&su, 0, sizeof su);
    su.opts = opts;
    su.format = cli_output_format(opts);
    if (!su.format) {
        fprintf(stderr, "aloud: error: unknown output format\n");
        return CLI_EXIT_USAGE;
    }
    if (opts->output_stdout && isatty(STDOUT_FILENO)) {
        fprintf(stderr, "aloud: error: -o -: standard output is a terminal; pipe it or "
                        "redirect it to a file\n");
        return CLI_EXIT_USAGE;
    }
    if (opts->cover) {
        aloud_error err = {0};
        if (aloud_cover_check(opts->cover, &err) != ALOUD_OK) {
            fprintf(stderr, "aloud: error: %s\n", err.message);
            return CLI_EXIT_USAGE;
        }
    }
    int rc = cli_voice(opts, &su.voice);
    if (rc == CLI_EXIT_OK)
        rc = cli_lexicons(opts, &su.voice, &su.lex);
    if (rc == CLI_EXIT_OK && opts->input_count > 1)
        rc = cli_check_distinct(&su);
    if (rc == CLI_EXIT_OK && opts->feed_dir)
        rc = cli_feed_check(opts);
    if (rc != CLI_EXIT_OK) {
        aloud_lexicon_free(su.lex);
        return rc;
    }
    snprintf(su.software, sizeof su.software, "aloud %s (espeak-ng %s)", ALOUD_VERSION,
             aloud_engine_version());
    bool batch = opts->input_count > 1;
    su.progress = !batch && opts->verbosity >= 0 && isatty(STDERR_FILENO);
    rc = cli_run_inputs(&su);
    aloud_lexicon_free(su.lex);
    /* Once for a batch, after every render (those that failed left nothing);
     * not after a signal, which stops the run. */
    if (opts->feed_dir && !cli_stop_signal && (rc == CLI_EXIT_OK || batch)) {
        int feed_rc = cli_feed_update(opts);
        if (rc == CLI_EXIT_OK)
            rc = feed_rc;
    }
    return rc;
}

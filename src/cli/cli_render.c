/* cli_render.c - rendering one input or a batch, with progress, summaries,
 * sidecars and JSON result lines. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_common.h"
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

/* Refuses an output that is the input itself (the render would destroy it). */
static aloud_status cli_refuse_overwrite(const char *input, const char *output, aloud_error *err)
{
    struct stat in, out;
    if (strcmp(input, "-") == 0 || stat(input, &in) != 0 || stat(output, &out) != 0)
        return ALOUD_OK;
    if (in.st_dev == out.st_dev && in.st_ino == out.st_ino)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "the output %s is the input itself; choose another -o", output);
    return ALOUD_OK;
}

/* The result line of --json, written with one write so that batch
 * children's lines never interleave. */
static void cli_json_result(const char *input, const char *output, const aloud_render_result *res,
                            const char *error)
{
    char *line = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&line, &size);
    if (!f)
        return;
    fputs("{\"input\": ", f);
    aloud_json_put_string(f, cli_display_name(input));
    if (error) {
        fputs(", \"ok\": false, \"error\": ", f);
        aloud_json_put_string(f, error);
        fputs("}\n", f);
    } else {
        fputs(", \"ok\": true, \"output\": ", f);
        aloud_json_put_string(f, output);
        fprintf(f, ", \"duration\": %.3f, \"chapters\": %zu}\n",
                (double)res->frames / (double)res->sample_rate, res->paragraph_count);
    }
    if (fclose(f) == 0)
        fwrite(line, 1, size, stdout);
    free(line);
    fflush(stdout);
}

/* The sidecar of `kind` beside the audio: the same path with its extension. */
static void cli_sidecar_path(const char *audio, const char *kind, char *path, size_t size)
{
    const char *slash = strrchr(audio, '/');
    const char *dot = strrchr(audio, '.');
    size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - audio) : strlen(audio);
    snprintf(path, size, "%.*s.%s", (int)stem, audio, aloud_sidecar_extension(kind));
}

static aloud_status cli_sidecars(const cli_setup *su, const char *input, const char *audio,
                                 const aloud_doc *doc, const aloud_render_result *res,
                                 aloud_error *err)
{
    const char *list = su->opts->sidecars;
    aloud_sidecar_info info = {cli_display_name(input), audio, aloud_format_name(su->format),
                               su->voice.name, su->voice.rate};
    while (list && *list) {
        char kind[16], path[4200];
        size_t len = strcspn(list, ",");
        snprintf(kind, sizeof kind, "%.*s", (int)len, list);
        list += len + (list[len] == ',');
        cli_sidecar_path(audio, kind, path, sizeof path);
        aloud_status st = aloud_sidecar_write(kind, path, doc, res, &info, err);
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

static void cli_report(const cli_setup *su, const char *input, const char *path,
                       const aloud_doc *doc, const aloud_render_result *res, double seconds)
{
    char t[32];
    double rate = (double)res->sample_rate;
    int verbosity = su->opts->verbosity;
    if (verbosity > 0) {
        for (size_t p = 0; p < res->paragraph_count; p++)
            fprintf(stderr, "aloud: chapter %zu at frame %llu (%s): %s\n", p + 1,
                    (unsigned long long)res->paragraphs[p].start,
                    cli_format_time((double)res->paragraphs[p].start / rate, t, sizeof t),
                    aloud_doc_paragraph(doc, p)->chapter_title);
        cli_lexicon_report(su->lex);
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
                path, cli_format_time(audio, t, sizeof t), res->paragraph_count,
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

/*
 * Renders one input with `jobs` workers: reads, speaks, writes the audio
 * and its sidecars, and reports. Returns the exit code.
 */
static int cli_render_one(const cli_setup *su, const char *input, unsigned jobs)
{
    const cli_options *opts = su->opts;
    char path[4096];
    aloud_error err = {0};
    aloud_status st = ALOUD_OK;
    const char *where = cli_display_name(input);
    aloud_doc *doc = NULL;
    aloud_render_result res;
    memset(&res, 0, sizeof res);
    cli_progress progress = {cli_now(), 0.0, false};

    if (!cli_output_path(opts, input, su->format, path, sizeof path))
        st = aloud_error_set(&err, ALOUD_ERR_ARG, 0, 0, "output path too long");
    if (st == ALOUD_OK)
        st = cli_load_doc(input, opts->max_input, &doc, &err);
    if (st == ALOUD_OK)
        st = cli_refuse_overwrite(input, path, &err);
    if (st == ALOUD_OK)
        st = aloud_doc_speak(doc, su->lex, &err);
    if (st == ALOUD_OK)
        cli_guard_report(opts, input, doc);
    if (st == ALOUD_OK) {
        where = path;
        st = cli_make_parents(path, &err);
    }
    if (st == ALOUD_OK) {
        aloud_render_opts ro = {&su->voice, su->format, path, su->software, jobs, opts->bitrate,
                                opts->skip_bad, &cli_stop_signal,
                                su->progress ? cli_progress_draw : NULL, &progress};
        st = aloud_render(doc, &ro, &res, &err);
        cli_progress_clear(&progress);
        /* A sentence the engine could not speak is named in the input. */
        if (st != ALOUD_OK && err.line > 0)
            where = cli_display_name(input);
    }
    if (st == ALOUD_OK)
        st = cli_sidecars(su, input, path, doc, &res, &err);

    if (st != ALOUD_OK) {
        char text[1024];
        cli_error_text(where, &err, text, sizeof text);
        fprintf(stderr, "aloud: error: %s\n", text);
        if (opts->json)
            cli_json_result(input, NULL, NULL, text);
    } else {
        cli_report(su, input, path, doc, &res, cli_now() - progress.started);
        if (opts->json)
            cli_json_result(input, path, &res, NULL);
    }
    aloud_render_result_free(&res);
    aloud_doc_free(doc);
    return cli_exit_for(st);
}

/* ---------------------------------------------------------------- batch */

static unsigned cli_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

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

/* Waits for one batch child; returns its exit code. A stop signal is passed
 * on to every child still running, each of which cleans up after itself. */
static int cli_wait_child(pid_t *running, size_t count)
{
    int status;
    pid_t pid;
    bool forwarded = false;
    while ((pid = wait(&status)) < 0 && errno == EINTR) {
        if (cli_stop_signal && !forwarded) {
            for (size_t i = 0; i < count; i++)
                if (running[i] > 0)
                    kill(running[i], (int)cli_stop_signal);
            forwarded = true;
        }
    }
    for (size_t i = 0; i < count; i++)
        if (running[i] == pid)
            running[i] = 0;
    if (pid < 0)
        return CLI_EXIT_FAILURE;
    return WIFEXITED(status) ? WEXITSTATUS(status) : CLI_EXIT_FAILURE;
}

/*
 * Several inputs: each renders in a child of its own, as many at once as
 * the -j budget allows, so a folder of short articles keeps every core busy
 * and one bad input cannot stop the others. Returns 0 when every input
 * rendered, else 1.
 */
static int cli_run_batch(const cli_setup *su)
{
    const cli_options *opts = su->opts;
    unsigned budget = opts->jobs ? opts->jobs : cli_cpus();
    size_t inputs = opts->input_count;
    size_t at_once = inputs < budget ? inputs : budget;
    unsigned jobs = (unsigned)(budget / at_once);
    size_t running = 0;
    bool failed = false;
    pid_t *pids = calloc(at_once, sizeof *pids);
    if (!pids) {
        fprintf(stderr, "aloud: error: out of memory\n");
        return CLI_EXIT_FAILURE;
    }

    for (size_t i = 0; i < inputs && !cli_stop_signal; i++) {
        if (running == at_once) {
            failed |= cli_wait_child(pids, at_once) != CLI_EXIT_OK;
            running--;
            if (cli_stop_signal)
                break;
        }
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid == 0)
            _exit(cli_render_one(su, opts->inputs[i], jobs));
        if (pid < 0) {
            fprintf(stderr, "aloud: error: %s: cannot start a render: %s\n", opts->inputs[i],
                    strerror(errno));
            failed = true;
            continue;
        }
        for (size_t k = 0; k < at_once; k++) {
            if (pids[k] == 0) {
                pids[k] = pid;
                break;
            }
        }
        running++;
    }
    while (running-- > 0)
        failed |= cli_wait_child(pids, at_once) != CLI_EXIT_OK;
    free(pids);
    if (cli_stop_signal)
        return 128 + (int)cli_stop_signal;
    return failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* The handler only notes the signal; the render loop and the batch loop look. */
static void cli_on_signal(int signo)
{
    cli_stop_signal = signo;
}

static void cli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cli_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking wait returns to look at the flag */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
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
    int rc = cli_voice(opts, &su.voice);
    if (rc == CLI_EXIT_OK)
        rc = cli_lexicons(opts, &su.voice, &su.lex);
    if (rc == CLI_EXIT_OK && opts->input_count > 1)
        rc = cli_check_distinct(&su);
    if (rc != CLI_EXIT_OK) {
        aloud_lexicon_free(su.lex);
        return rc;
    }
    snprintf(su.software, sizeof su.software, "aloud %s (espeak-ng %s)", ALOUD_VERSION,
             aloud_engine_version());
    bool batch = opts->input_count > 1;
    su.progress = !batch && opts->verbosity >= 0 && isatty(STDERR_FILENO);
    rc = batch ? cli_run_batch(&su) : cli_render_one(&su, opts->input, opts->jobs);
    aloud_lexicon_free(su.lex);
    return rc;
}

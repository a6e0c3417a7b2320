/*
 * testutil.c - helpers shared by the cmocka unit tests; see testutil.h.
 */
#include "testutil.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "speak.h"

int tu_tempdir_make(char *dir, size_t size, const char *name)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, size, "%s/aloud-test-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    return mkdtemp(dir) ? 0 : -1;
}

void tu_tempdir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d && (e = readdir(d)) != NULL) {
        char p[PATH_MAX + 256];

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (rmdir(p) != 0)
            unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int tu_fixture_setup(void **state, const char *name)
{
    tu_fixture *fx = calloc(1, sizeof *fx);

    if (!fx)
        return -1;
    if (tu_tempdir_make(fx->dir, sizeof fx->dir, name) != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

int tu_fixture_teardown(void **state)
{
    tu_fixture *fx = *state;

    tu_tempdir_remove(fx->dir);
    free(fx);
    return 0;
}

void tu_path(const tu_fixture *fx, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", fx->dir, name);
}

unsigned char *tu_read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;

    if (!f)
        fail_msg("cannot open %s", path);
    tu_require(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    tu_require(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *size = (size_t)n;
    return buf;
}

char *tu_read_text(const char *path)
{
    size_t size;

    return (char *)tu_read_all(path, &size);
}

void tu_write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");

    tu_require(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

uint32_t tu_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t tu_le64(const unsigned char *p)
{
    return (uint64_t)tu_le32(p) | (uint64_t)tu_le32(p + 4) << 32;
}

uint32_t tu_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int16_t tu_sample(uint64_t i)
{
    return (int16_t)((int32_t)((i * 7919u) % 65536u) - 32768);
}

aloud_status tu_write_audio(const writer_ops *fmt, const char *path, const writer_params *params,
                            uint64_t total, const uint64_t *chapters, const tu_pcm *how)
{
    const tu_pcm defaults = {0};
    writer *w = NULL;
    aloud_error err = {0};
    size_t block;
    int16_t *buf;
    aloud_status st;

    if (!how)
        how = &defaults;
    block = how->block ? how->block : 1001;
    buf = calloc(block * params->channels, sizeof *buf);
    tu_require(buf);
    st = fmt->open(path, params, &w, &err);
    if (st != ALOUD_OK)
        print_error("open: %s\n", err.message);
    assert_int_equal(st, ALOUD_OK);
    if (how->open_inode) {
        struct stat sb;

        assert_int_equal(stat(path, &sb), 0);
        *how->open_inode = sb.st_ino;
    }
    for (uint64_t done = 0; done < total;) {
        size_t n = total - done < block ? (size_t)(total - done) : block;

        if (how->fill) {
            how->fill(buf, done, n, params->channels, how->ctx);
        } else {
            for (size_t i = 0; i < n * params->channels; i++)
                buf[i] = tu_sample(done * params->channels + i);
        }
        assert_int_equal(fmt->write(w, buf, n, &err), ALOUD_OK);
        done += n;
    }
    free(buf);
    if (how->before_close)
        how->before_close(how->ctx);
    st = fmt->close(w, chapters, &err);
    if (st != ALOUD_OK)
        print_message("close: %s\n", err.message);
    return st;
}

bool tu_have_tool(const char *name)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

char *tu_phonemes(const char *text)
{
    char path[] = "/tmp/aloud-test-phonemes-XXXXXX";
    char cmd[256];
    char *out = calloc(1, 8192);
    size_t n = 0;
    int fd = mkstemp(path);
    FILE *f;
    assert_true(fd >= 0);
    assert_non_null(out);
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    snprintf(cmd, sizeof cmd, "espeak-ng -q -x -v en-us -f '%s' 2>/dev/null", path);
    f = popen(cmd, "r");
    assert_non_null(f);
    n = fread(out, 1, 8191, f);
    out[n] = '\0';
    assert_int_equal(pclose(f), 0);
    unlink(path);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
        out[--n] = '\0';
    return out;
}

const char *tu_spoken(const char *text, aloud_lexicon *lex)
{
    static char copy[8192];
    char *out = NULL;
    assert_int_equal(speak_sentence(text, strlen(text), lex, &out), ALOUD_OK);
    assert_non_null(out);
    snprintf(copy, sizeof copy, "%s", out);
    free(out);
    return copy;
}

void tu_check_reading(const char *text, const char *before, const char *after)
{
    char *a = tu_phonemes(text);
    char *spoken = strdup(tu_spoken(text, NULL));
    char *b = tu_phonemes(spoken);
    if (!strstr(a, before) || !strstr(b, after) || strstr(b, before))
        fail_msg("\"%s\"\n  espeak-ng: %s\n  aloud:     %s (\"%s\")\n  want \"%s\" then \"%s\"",
                 text, a, b, spoken, before, after);
    free(a);
    free(b);
    free(spoken);
}

/* Runs cmd; returns its stdout (caller frees) and length, and its pclose() status. */
static char *run_status(const char *cmd, size_t *len, int *status)
{
    FILE *p = popen(cmd, "r");
    size_t cap = 1 << 16, n = 0, got;
    char *out = malloc(cap);

    tu_require(p);
    tu_require(out);
    while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            out = realloc(out, cap);
            tu_require(out);
        }
    }
    out[n] = '\0';
    *status = pclose(p);
    if (len)
        *len = n;
    return out;
}

char *tu_run(const char *cmd, size_t *len)
{
    int status;
    char *out = run_status(cmd, len, &status);

    assert_int_equal(status, 0);
    return out;
}

char *tu_run_try(const char *cmd)
{
    int status;
    char *out = run_status(cmd, NULL, &status);

    if (status != 0) {
        free(out);
        return NULL;
    }
    return out;
}

void tu_json_string(const char *s, char *out, size_t size)
{
    size_t n = 0;

    while (*s && *s != '"' && n + 4 < size) {
        if (*s == '\\') {
            s++;
            switch (*s) {
            case 'n': out[n++] = '\n'; break;
            case 't': out[n++] = '\t'; break;
            case 'r': out[n++] = '\r'; break;
            case 'b': out[n++] = '\b'; break;
            case 'f': out[n++] = '\f'; break;
            case 'u': {
                unsigned v = 0;

                assert_int_equal(sscanf(s + 1, "%4x", &v), 1);
                assert_true(v < 0x80); /* ffprobe passes other characters through as UTF-8 */
                out[n++] = (char)v;
                s += 4;
                break;
            }
            default: out[n++] = *s; break; /* \" \\ \/ */
            }
            s++;
        } else {
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
}

size_t tu_probe_chapters(const char *path, tu_probe_chapter *out, size_t max)
{
    char cmd[PATH_MAX + 128];
    size_t count = 0;
    char *json;
    const char *at;

    snprintf(cmd, sizeof cmd, "ffprobe -v error -show_chapters -of json '%s'", path);
    json = tu_run(cmd, NULL);
    at = strstr(json, "\"chapters\": [");
    tu_require(at);
    while ((at = strstr(at, "\"id\": ")) != NULL) {
        const char *next = strstr(at + 1, "\"id\": ");
        const char *tb = strstr(at, "\"time_base\": \"");
        const char *start = strstr(at, "\"start\": ");
        const char *title = strstr(at, "\"title\": \"");

        assert_true(count < max);
        tu_require(tb);
        tu_require(start);
        assert_int_equal(sscanf(tb + 14, "%" SCNu64 "/%" SCNu64, &out[count].num, &out[count].den),
                         2);
        assert_int_equal(sscanf(start + 9, "%" SCNd64, &out[count].start), 1);
        out[count].title[0] = '\0';
        if (title && (!next || title < next))
            tu_json_string(title + 10, out[count].title, sizeof out[count].title);
        count++;
        at += 1;
    }
    free(json);
    return count;
}

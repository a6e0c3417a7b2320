/*
 * feed.c - a podcast feed over a folder of renders (aloud_feed_update,
 * aloud.h): RSS 2.0 with the itunes and Podcasting 2.0 namespaces.
 *
 * An update, under the folder's feed lock (DIR/.feed.lock):
 *   1. reads the settings (DIR/feed.conf), applies the options, writes them
 *      back when they changed, copies a new feed image in;
 *   2. lists the folder under its commit lock (the one aloud_outputs_commit
 *      takes), so that a render's audio is never seen without the manifest
 *      committed with it: each audio file, its manifest read back, its
 *      chapters made from the manifest's timeline;
 *   3. writes the chapters files that changed and the feed, each through a
 *      temporary renamed over it.
 * Every update rebuilds from what the folder holds, and updates take turns:
 * the last one sees every file committed before it started.
 */
#define _DEFAULT_SOURCE /* realpath(), d_type */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aloud.h"
#include "cover.h"
#include "feed_uuid.h"
#include "feed_xml.h"
#include "file_read.h"
#include "json_read.h"
#include "outfile.h"
#include "outputs.h"
#include "utf8.h"
#include "vec.h"

/* A manifest or settings file larger than this is not ours. */
#define FEED_MAX_MANIFEST ((size_t)256 << 20)
#define FEED_MAX_SETTINGS ((size_t)64 << 10)
/* Apple shows at most 4000 characters of a description. */
#define FEED_MAX_DESCRIPTION 4000u
#define FEED_URL_MAX 8192

/* --------------------------------------------------------------- settings */

typedef enum feed_key { KEY_TITLE, KEY_AUTHOR, KEY_DESCRIPTION, KEY_LANGUAGE, KEY_BASE_URL,
                        KEY_IMAGE, KEY_GUID, KEY_COUNT } feed_key;

/* "guid" is the podcast:guid, made once from the first base URL and kept. */
static const char *const feed_key_names[KEY_COUNT] = {"title", "author", "description",
                                                     "language", "base_url", "image", "guid"};

typedef struct feed_settings {
    char *value[KEY_COUNT];  /* NULL when unset */
} feed_settings;

static void feed_settings_clear(feed_settings *s)
{
    for (int k = 0; k < KEY_COUNT; k++) {
        free(s->value[k]);
        s->value[k] = NULL;
    }
}

/* `value` (copied; NULL or "" unsets) as setting `k`; false when out of memory. */
static bool feed_settings_set(feed_settings *s, feed_key k, const char *value, size_t len)
{
    char *copy = NULL;
    if (value && len > 0 && !(copy = strndup(value, len)))
        return false;
    free(s->value[k]);
    s->value[k] = copy;
    return true;
}

/* "key = value" lines; '#' starts a comment line; blank lines are fine. */
static aloud_status feed_settings_parse(const char *text, size_t size, feed_settings *s,
                                        aloud_error *err)
{
    unsigned line = 0;
    for (size_t pos = 0; pos < size; line++) {
        const char *l = text + pos;
        size_t len = strcspn(l, "\n");
        pos += len + (pos + len < size);
        while (len > 0 && (l[len - 1] == ' ' || l[len - 1] == '\r' || l[len - 1] == '\t'))
            len--;
        size_t lead = strspn(l, " \t");
        if (lead >= len || l[lead] == '#')
            continue;
        const char *eq = memchr(l, '=', len);
        if (!eq)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, line + 1, (unsigned)lead + 1,
                                   "expected 'key = value'");
        size_t klen = (size_t)(eq - l) - lead;
        while (klen > 0 && (l[lead + klen - 1] == ' ' || l[lead + klen - 1] == '\t'))
            klen--;
        int k = 0;
        while (k < KEY_COUNT && !(strlen(feed_key_names[k]) == klen
                                  && memcmp(feed_key_names[k], l + lead, klen) == 0))
            k++;
        if (k == KEY_COUNT)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, line + 1, (unsigned)lead + 1,
                                   "unknown setting '%.*s' (known: title, author, description, "
                                   "language, base_url, image, guid)",
                                   (int)(klen > 40 ? 40 : klen), l + lead);
        const char *v = eq + 1;
        v += strspn(v, " \t");
        size_t vlen = v < l + len ? (size_t)(l + len - v) : 0;
        if (!feed_settings_set(s, (feed_key)k, v, vlen))
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    return ALOUD_OK;
}

/* A setting's value as given: one line of valid UTF-8. */
static aloud_status feed_check_value(const char *what, const char *v, aloud_error *err)
{
    if (!utf8_is_valid_string(v))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "the feed's %s is not valid UTF-8",
                               what);
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20u && *p != '\t')
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                                   "the feed's %s holds a line break or control character", what);
    return ALOUD_OK;
}

static aloud_status feed_check_base_url(const char *url, aloud_error *err)
{
    if (!*url)
        return ALOUD_OK;
    bool http = strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
    const char *host = url + (url[4] == 's' ? 8 : 7);
    if (!http || !*host || *host == '/' || strpbrk(url, " \"<>\\^`{|}"))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "the base URL must be an http:// or https:// address without "
                               "spaces (such as http://192.168.1.10:8000/), not '%.80s'",
                               url);
    return ALOUD_OK;
}

/* --------------------------------------------------------------- files */

/*
 * Writes `len` bytes of `data` to `path` through a temporary beside it, as
 * a set of one output: the destination is checked as any output is (no
 * folder, FIFO or device), and the commit sweeps the temporaries a killed
 * update left.
 */
static aloud_status feed_write_file(const char *path, const char *data, size_t len,
                                    aloud_error *err)
{
    char brief[OUTFILE_BRIEF];
    const char *temp = NULL;
    aloud_outputs *set = aloud_outputs_create();
    if (!set)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    aloud_status st = outputs_begin(set, path, &temp, err);
    if (st == ALOUD_OK) {
        FILE *f = fopen(temp, "w");
        bool ok = f && fwrite(data, 1, len, f) == len;
        int e = errno;
        if (f && fclose(f) != 0 && ok) {
            ok = false;
            e = errno;
        }
        if (!ok) {
            outputs_abandon(set, temp);
            st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot write %s: %s",
                                 outfile_brief(path, brief, sizeof brief), strerror(e));
        }
    }
    if (st == ALOUD_OK)
        st = aloud_outputs_commit(set, err);
    aloud_outputs_free(set);
    return st;
}

/* Reads a whole small file; ALOUD_ERR_READ (missing: *missing set) or NOMEM. */
static aloud_status feed_read_file(const char *path, size_t limit, char **data, size_t *size,
                                   bool *missing, aloud_error *err)
{
    file_read_info info;
    char brief[OUTFILE_BRIEF];
    file_read_status r = file_read(path, limit, NULL, data, size, &info);
    if (missing)
        *missing = r == FILE_READ_OPEN && info.errno_value == ENOENT;
    if (r == FILE_READ_OK)
        return ALOUD_OK;
    if (r == FILE_READ_NOMEM)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    if (r == FILE_READ_TOO_LARGE)
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "%s is too large",
                               outfile_brief(path, brief, sizeof brief));
    return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot read %s: %s",
                           outfile_brief(path, brief, sizeof brief),
                           strerror(info.errno_value ? info.errno_value : EIO));
}

/* Reads the image at `path` and checks it is a JPEG or PNG as embedded covers
 * are (cover.h); *type is its extension. */
static aloud_status feed_read_image(const char *path, char **data, size_t *size,
                                    const char **type, aloud_error *err)
{
    cover_image *cover = NULL;
    aloud_status st = cover_load(path, &cover, err);
    if (st != ALOUD_OK)
        return st;
    *type = cover->kind == COVER_JPEG ? "jpg" : "png";
    *data = (char *)cover->data;
    *size = cover->size;
    cover->data = NULL;
    cover_free(cover);
    return ALOUD_OK;
}

/* "DIR/name" into a fresh string; NULL when out of memory. */
static char *feed_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    size_t size = dl + strlen(name) + 2;
    char *p = malloc(size);
    if (p)
        snprintf(p, size, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name);
    return p;
}

static bool feed_exists(const char *dir, const char *name)
{
    char *p = feed_join(dir, name);
    struct stat sb;
    bool ok = p && stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
    free(p);
    return ok;
}

/* ---------------------------------------------------------------- items */

static const struct {
    const char *extension;
    const char *mime;
} feed_audio_types[] = {
    {"flac", "audio/flac"}, {"opus", "audio/ogg"},  {"ogg", "audio/ogg"}, {"mp3", "audio/mpeg"},
    {"wav", "audio/x-wav"}, {"m4b", "audio/mp4"}, {"m4a", "audio/mp4"},
};

/* The MIME type of an audio file by its extension; NULL for any other file. */
static const char *feed_audio_mime(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        return NULL;
    for (size_t i = 0; i < sizeof feed_audio_types / sizeof feed_audio_types[0]; i++)
        if (strcasecmp(dot + 1, feed_audio_types[i].extension) == 0)
            return feed_audio_types[i].mime;
    return NULL;
}

typedef struct feed_item {
    char *file;            /* the audio's name in the folder */
    char *stem;            /* without its extension */
    char *title;
    char *author;          /* NULL when unknown */
    char *description;     /* NULL when unknown */
    char *chapters;        /* the chapters file's text; NULL without a manifest */
    const char *mime;
    char guid[48];
    uint64_t length;
    struct timespec mtime;
    long long duration_ms; /* -1 when unknown */
    bool manifest, vtt, srt;
    char *image;           /* the item image's name, NULL for none */
} feed_item;

static void feed_item_clear(feed_item *it)
{
    free(it->file);
    free(it->stem);
    free(it->title);
    free(it->author);
    free(it->description);
    free(it->chapters);
    free(it->image);
    memset(it, 0, sizeof *it);
}

/* What one update works with. */
typedef struct feed_run {
    const char *dir;
    const aloud_feed_opts *opts;
    feed_settings settings;
    feed_item *items;
    size_t count, cap;
    aloud_feed_result result;
} feed_run;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void feed_warn(const feed_run *run, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    if (!run->opts || !run->opts->warn)
        return;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    run->opts->warn(run->opts->warn_ctx, message);
}

/*
 * The GUID of an article: from the input's name without its folder and
 * extension, and the title. Two 64-bit FNV-1a hashes with unlike starts
 * make 128 bits, written as "aloud-" and 32 hex digits: stable across
 * renders, options and formats, unlike for two articles.
 */
static void feed_guid(const char *input_stem, const char *title, char *out, size_t size)
{
    uint64_t a = 14695981039346656037u, b = 0x84222325cbf29ce4u ^ 0x5bd1e995u;
    const char *parts[2] = {input_stem, title ? title : ""};
    for (int i = 0; i < 2; i++) {
        for (const unsigned char *p = (const unsigned char *)parts[i];; p++) {
            /* A NUL between the parts: "ab"+"c" is not "a"+"bc". */
            a = (a ^ *p) * 1099511628211u;
            b = (b ^ *p) * 1099511628211u;
            b ^= b >> 29;
            if (!*p)
                break;
        }
    }
    snprintf(out, size, "aloud-%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

/* The name of `path` without folders and its last extension, into a fresh string. */
static char *feed_stem_of(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return strndup(base, len);
}

/* Seconds of a manifest's number as whole milliseconds; -1 when it is none. */
static long long feed_ms(const jsonr_value *v)
{
    double s = jsonr_number(v, -1.0);
    return s >= 0.0 && s < 1e12 ? llround(s * 1000.0) : -1;
}

/* A paragraph's text: its sentences joined by spaces, cut to the description's length. */
static char *feed_paragraph_text(const jsonr_value *para)
{
    const jsonr_value *sentences = jsonr_get(para, "sentences");
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    for (size_t i = 0; i < jsonr_count(sentences); i++) {
        const char *s = jsonr_string(jsonr_get(jsonr_at(sentences, i), "text"));
        if (s && *s)
            fprintf(f, "%s%s", ftell(f) > 0 ? " " : "", s);
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    if (size > FEED_MAX_DESCRIPTION) {
        /* Cut on a character boundary, with room for the ellipsis. */
        size_t cut = FEED_MAX_DESCRIPTION - 3;
        while (cut > 0 && ((unsigned char)text[cut] & 0xC0u) == 0x80u)
            cut--;
        memcpy(text + cut, "\xE2\x80\xA6", 4); /* … and the NUL */
    }
    return text;
}

/*
 * The description: the first body paragraph (the manifest's "kind"), or,
 * in a manifest without kinds, the first paragraph that is not the title.
 */
static char *feed_description(const jsonr_value *paragraphs, const char *title)
{
    for (size_t i = 0; i < jsonr_count(paragraphs); i++) {
        const jsonr_value *p = jsonr_at(paragraphs, i);
        const char *kind = jsonr_string(jsonr_get(p, "kind"));
        if (kind && strcmp(kind, "body") != 0)
            continue;
        char *text = feed_paragraph_text(p);
        if (!text || !*text || (!kind && title && strcmp(text, title) == 0)) {
            free(text);
            continue;
        }
        return text;
    }
    return NULL;
}

/*
 * The Podcasting 2.0 chapters file of a manifest: version 1.2.0, one
 * chapter per paragraph with its start, title and end: the next one's start
 * (a paragraph's pause is part of it), the whole duration for the last.
 * NULL when out of memory or when the manifest has no paragraph with a
 * start.
 */
static char *feed_chapters_text(const jsonr_value *paragraphs, long long duration_ms)
{
    char *text = NULL;
    size_t size = 0, written = 0, count = jsonr_count(paragraphs);
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    fputs("{\n  \"version\": \"1.2.0\",\n  \"chapters\": [", f);
    for (size_t i = 0; i < count; i++) {
        const jsonr_value *p = jsonr_at(paragraphs, i);
        long long start = feed_ms(jsonr_get(p, "start"));
        long long end = i + 1 < count ? feed_ms(jsonr_get(jsonr_at(paragraphs, i + 1), "start"))
                                      : duration_ms;
        if (start < 0)
            continue;
        fputs(written++ ? ",\n    {\"startTime\": " : "\n    {\"startTime\": ", f);
        feed_put_seconds(f, (unsigned long long)start);
        if (end > start) {
            fputs(", \"endTime\": ", f);
            feed_put_seconds(f, (unsigned long long)end);
        }
        fputs(", \"title\": ", f);
        aloud_json_put_string(f, jsonr_string(jsonr_get(p, "title")));
        fputs("}", f);
    }
    fputs(written ? "\n  ]\n}\n" : "]\n}\n", f);
    if (fclose(f) != 0 || written == 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* A fresh copy of a manifest's string member, NULL when absent. */
static char *feed_member(const jsonr_value *m, const char *key)
{
    const char *s = jsonr_string(jsonr_get(m, key));
    return s && *s ? strdup(s) : NULL;
}

/*
 * Reads the manifest STEM.json of `it`, if there is one that describes it
 * (its "output" names it), into `it`; *input_stem gets the input's stem.
 * A manifest that cannot be read is a warning (*warned says one was given).
 * Returns false only when out of memory.
 */
static bool feed_read_manifest(feed_run *run, feed_item *it, char **input_stem, bool *warned)
{
    size_t nlen = strlen(it->stem) + sizeof ".json";
    char *name = malloc(nlen), *path = NULL, *data = NULL;
    size_t size = 0;
    bool missing = false;
    jsonr_value *m = NULL;
    aloud_error err = {0};
    if (!name)
        return false;
    snprintf(name, nlen, "%s.json", it->stem);
    path = feed_join(run->dir, name);
    if (!path) {
        free(name);
        return false;
    }
    aloud_status st = feed_read_file(path, FEED_MAX_MANIFEST, &data, &size, &missing, &err);
    if (st == ALOUD_OK)
        st = jsonr_parse(data, size, &m, &err);
    free(data);
    if (st == ALOUD_ERR_NOMEM) {
        free(name);
        free(path);
        return false;
    }
    const jsonr_value *paragraphs = jsonr_get(m, "paragraphs");
    const char *output = jsonr_string(jsonr_get(m, "output"));
    const char *out_base = output ? strrchr(output, '/') : NULL;
    out_base = out_base ? out_base + 1 : output;
    bool shaped = st == ALOUD_OK && jsonr_type_of(paragraphs) == JSONR_ARRAY && out_base;
    *warned = !shaped && !missing;
    if (st == ALOUD_ERR_MEDIA)
        feed_warn(run, "%s:%u:%u: not JSON (%s): %s is listed without chapters or transcript",
                  name, err.line, err.column, err.message, it->file);
    else if (st != ALOUD_OK && !missing)
        feed_warn(run, "%s: unreadable (%s): %s is listed without chapters or transcript",
                  name, err.message, it->file);
    else if (st == ALOUD_OK && !shaped)
        feed_warn(run, "%s: not an aloud manifest (no output or paragraphs): %s is listed "
                       "without chapters or transcript",
                  name, it->file);
    if (!shaped || strcmp(out_base, it->file) != 0) {
        /* A manifest of the same name that describes another file (a.json of
         * a.mp3 beside an older a.flac) is that file's. */
        jsonr_free(m);
        free(name);
        free(path);
        return true;
    }
    const char *input = jsonr_string(jsonr_get(m, "input"));
    bool ok = true;
    it->manifest = true;
    it->title = feed_member(m, "title");
    it->author = feed_member(m, "author");
    it->duration_ms = feed_ms(jsonr_get(m, "duration"));
    it->description = feed_description(paragraphs, it->title);
    it->chapters = feed_chapters_text(paragraphs, it->duration_ms);
    if (input && *input && strcmp(input, "<stdin>") != 0 && strcmp(input, "-") != 0)
        ok = (*input_stem = feed_stem_of(input)) != NULL;
    jsonr_free(m);
    free(name);
    free(path);
    return ok;
}

/* Reads what a file without a manifest says of itself: tags and duration. */
static void feed_read_tags(feed_run *run, feed_item *it, const char *path, bool warned)
{
    aloud_media *media = NULL;
    aloud_error err = {0};
    if (aloud_media_read(path, &media, &err) == ALOUD_OK) {
        if (media->title && *media->title)
            it->title = strdup(media->title);
        if (media->author && *media->author)
            it->author = strdup(media->author);
        if (media->sample_rate)
            it->duration_ms = (long long)(media->frames * 1000u / media->sample_rate);
        if (!warned)
            feed_warn(run, "%s has no manifest (%s.json): listed without chapters or "
                           "transcript",
                      it->file, it->stem);
    } else {
        feed_warn(run, "%s has no manifest (%s.json) and its duration and tags cannot be read "
                       "(%s): listed by its name",
                  it->file, it->stem, err.message);
    }
    aloud_media_free(media);
}

/* The item image beside the audio: STEM.cover.jpg, .jpeg or .png. */
static char *feed_item_image(const feed_run *run, const char *stem)
{
    static const char *const exts[] = {"jpg", "jpeg", "png"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t size = strlen(stem) + 16;
        char *name = malloc(size);
        if (!name)
            return NULL;
        snprintf(name, size, "%s.cover.%s", stem, exts[i]);
        if (feed_exists(run->dir, name))
            return name;
        free(name);
    }
    return NULL;
}

/* Adds the audio file `name` (its stat `sb`) as an item; false when out of memory. */
static bool feed_add_item(feed_run *run, const char *name, const char *mime,
                          const struct stat *sb)
{
    if (!vec_reserve(&run->items, &run->cap, run->count + 1, sizeof *run->items, 16))
        return false;
    feed_item *it = &run->items[run->count];
    char *input_stem = NULL, *path = NULL;
    bool warned = false;
    memset(it, 0, sizeof *it);
    it->mime = mime;
    it->length = (uint64_t)sb->st_size;
    it->mtime = sb->st_mtim;
    it->duration_ms = -1;
    it->file = strdup(name);
    it->stem = feed_stem_of(name);
    if (!it->file || !it->stem || !feed_read_manifest(run, it, &input_stem, &warned)) {
        feed_item_clear(it);
        return false;
    }
    if (!it->manifest) {
        path = feed_join(run->dir, name);
        if (!path) {
            feed_item_clear(it);
            return false;
        }
        feed_read_tags(run, it, path, warned);
        free(path);
    }
    if (!it->title && !(it->title = strdup(it->stem))) {
        feed_item_clear(it);
        free(input_stem);
        return false;
    }
    feed_guid(input_stem ? input_stem : it->stem, it->title, it->guid, sizeof it->guid);
    free(input_stem);
    if (it->manifest) {
        size_t size = strlen(it->stem) + 8;
        char *side = malloc(size);
        if (!side) {
            feed_item_clear(it);
            return false;
        }
        snprintf(side, size, "%s.vtt", it->stem);
        it->vtt = feed_exists(run->dir, side);
        snprintf(side, size, "%s.srt", it->stem);
        it->srt = feed_exists(run->dir, side);
        free(side);
    }
    it->image = feed_item_image(run, it->stem);
    run->count++;
    return true;
}

/* Newer first; then by name, so that the order is the same on every update. */
static int feed_item_order(const void *a, const void *b)
{
    const feed_item *x = a, *y = b;
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return x->mtime.tv_sec > y->mtime.tv_sec ? -1 : 1;
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return x->mtime.tv_nsec > y->mtime.tv_nsec ? -1 : 1;
    return strcmp(x->file, y->file);
}

/*
 * Of two items with one GUID (an article rendered again into another
 * format, or under another name) the newer stays; with the order above
 * that is the first. The others are named and left out.
 */
static void feed_drop_duplicates(feed_run *run)
{
    size_t kept = 0;
    for (size_t i = 0; i < run->count; i++) {
        feed_item *it = &run->items[i];
        size_t k = 0;
        while (k < kept && strcmp(run->items[k].guid, it->guid) != 0)
            k++;
        if (k < kept) {
            feed_warn(run, "%s: an older render of the same article as %s (same title and "
                           "input): left out of the feed",
                      it->file, run->items[k].file);
            run->result.left_out++;
            feed_item_clear(it);
            continue;
        }
        if (kept != i) {
            run->items[kept] = *it;
            memset(it, 0, sizeof *it);
        }
        kept++;
    }
    run->count = kept;
}

/* Lists the folder's audio files as items, under the folder's commit lock. */
static aloud_status feed_scan(feed_run *run, aloud_error *err)
{
    char brief[OUTFILE_BRIEF];
    char *probe = feed_join(run->dir, "feed.xml");
    if (!probe)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    int lock = outfile_folder_open(probe);
    free(probe);
    outfile_folder_lock(lock);
    DIR *d = opendir(run->dir);
    aloud_status st = ALOUD_OK;
    if (!d)
        st = aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot read the folder %s: %s",
                             outfile_brief(run->dir, brief, sizeof brief), strerror(errno));
    for (struct dirent *e; st == ALOUD_OK && d && (e = readdir(d)) != NULL;) {
        struct stat sb;
        const char *mime = feed_audio_mime(e->d_name);
        /* Hidden names are temporaries (outfile.h) and other programs' own. */
        if (e->d_name[0] == '.' || !mime || fstatat(dirfd(d), e->d_name, &sb, 0) != 0
            || !S_ISREG(sb.st_mode))
            continue;
        if (!feed_add_item(run, e->d_name, mime, &sb))
            st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    if (d)
        closedir(d);
    outfile_folder_close(lock);
    if (st == ALOUD_OK) {
        if (run->count > 1)
            qsort(run->items, run->count, sizeof *run->items, feed_item_order);
        feed_drop_duplicates(run);
    }
    return st;
}

/* ------------------------------------------------------------ the feed */

/* <tag>text</tag> on its own line, when text is not NULL. */
static void feed_put_element(FILE *f, const char *indent, const char *tag, const char *text)
{
    if (!text)
        return;
    fprintf(f, "%s<%s>", indent, tag);
    feed_put_xml(f, text);
    fprintf(f, "</%s>\n", tag);
}

/* The link to `name` in the folder, written as an attribute value or text. */
static void feed_put_link(FILE *f, const feed_run *run, const char *name)
{
    char url[FEED_URL_MAX];
    if (feed_url(run->settings.value[KEY_BASE_URL], name, url, sizeof url))
        feed_put_xml(f, url);
}

/* <podcast:transcript> for STEM.EXT when the item has it. */
static void feed_put_transcript(FILE *f, const feed_run *run, const feed_item *it,
                                const char *ext, const char *type)
{
    size_t size = strlen(it->stem) + 8;
    char *name = malloc(size);
    if (!name)
        return;
    snprintf(name, size, "%s.%s", it->stem, ext);
    fputs("      <podcast:transcript url=\"", f);
    feed_put_link(f, run, name);
    fprintf(f, "\" type=\"%s\"", type);
    if (run->settings.value[KEY_LANGUAGE]) {
        fputs(" language=\"", f);
        feed_put_xml(f, run->settings.value[KEY_LANGUAGE]);
        fputc('"', f);
    }
    fputs(" rel=\"captions\"/>\n", f);
    free(name);
}

static void feed_put_item(FILE *f, const feed_run *run, const feed_item *it)
{
    char date[40];
    const char *image = it->image ? it->image : run->settings.value[KEY_IMAGE];
    fputs("    <item>\n", f);
    feed_put_element(f, "      ", "title", it->title);
    feed_put_element(f, "      ", "description", it->description);
    feed_put_element(f, "      ", "itunes:author", it->author);
    fprintf(f, "      <guid isPermaLink=\"false\">%s</guid>\n", it->guid);
    feed_put_element(f, "      ", "pubDate", feed_rfc822(it->mtime.tv_sec, date, sizeof date));
    fputs("      <enclosure url=\"", f);
    feed_put_link(f, run, it->file);
    fprintf(f, "\" length=\"%llu\" type=\"%s\"/>\n", (unsigned long long)it->length, it->mime);
    if (it->duration_ms >= 0)
        fprintf(f, "      <itunes:duration>%lld</itunes:duration>\n",
                (it->duration_ms + 500) / 1000);
    if (image) {
        fputs("      <itunes:image href=\"", f);
        feed_put_link(f, run, image);
        fputs("\"/>\n", f);
    }
    if (it->chapters) {
        size_t size = strlen(it->stem) + sizeof ".chapters.json";
        char *name = malloc(size);
        if (name) {
            snprintf(name, size, "%s.chapters.json", it->stem);
            fputs("      <podcast:chapters url=\"", f);
            feed_put_link(f, run, name);
            fputs("\" type=\"application/json+chapters\"/>\n", f);
            free(name);
        }
    }
    if (it->vtt)
        feed_put_transcript(f, run, it, "vtt", "text/vtt");
    if (it->srt)
        feed_put_transcript(f, run, it, "srt", "application/x-subrip");
    fputs("    </item>\n", f);
}

/* The whole feed into a fresh buffer. */
static aloud_status feed_render(const feed_run *run, char **text, size_t *size, aloud_error *err)
{
    const feed_settings *s = &run->settings;
    const char *base = s->value[KEY_BASE_URL];
    char date[40];
    FILE *f = open_memstream(text, size);
    if (!f)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" "
          "xmlns:podcast=\"https://podcastindex.org/namespace/1.0\" "
          "xmlns:atom=\"http://www.w3.org/2005/Atom\">\n"
          "  <channel>\n",
          f);
    feed_put_element(f, "    ", "title", s->value[KEY_TITLE]);
    /* Without a base URL, the folder the feed is served from. */
    fputs("    <link>", f);
    feed_put_xml(f, base ? base : "./");
    fputs("</link>\n", f);
    feed_put_element(f, "    ", "description",
                     s->value[KEY_DESCRIPTION] ? s->value[KEY_DESCRIPTION] : s->value[KEY_TITLE]);
    feed_put_element(f, "    ", "language", s->value[KEY_LANGUAGE]);
    fputs("    <generator>aloud " ALOUD_VERSION "</generator>\n", f);
    /* The newest item's date: an update that changes nothing writes the same bytes. */
    if (run->count > 0)
        feed_put_element(f, "    ", "lastBuildDate",
                         feed_rfc822(run->items[0].mtime.tv_sec, date, sizeof date));
    if (base) {
        fputs("    <atom:link href=\"", f);
        feed_put_link(f, run, "feed.xml");
        fputs("\" rel=\"self\" type=\"application/rss+xml\"/>\n", f);
    }
    feed_put_element(f, "    ", "itunes:author", s->value[KEY_AUTHOR]);
    if (s->value[KEY_IMAGE]) {
        fputs("    <itunes:image href=\"", f);
        feed_put_link(f, run, s->value[KEY_IMAGE]);
        fputs("\"/>\n    <image>\n      <url>", f);
        feed_put_link(f, run, s->value[KEY_IMAGE]);
        fputs("</url>\n", f);
        feed_put_element(f, "      ", "title", s->value[KEY_TITLE]);
        fputs("      <link>", f);
        feed_put_xml(f, base ? base : "./");
        fputs("</link>\n    </image>\n", f);
    }
    feed_put_element(f, "    ", "podcast:guid", s->value[KEY_GUID]);
    fputs("    <itunes:explicit>false</itunes:explicit>\n"
          "    <itunes:type>episodic</itunes:type>\n",
          f);
    for (size_t i = 0; i < run->count; i++)
        feed_put_item(f, run, &run->items[i]);
    fputs("  </channel>\n</rss>\n", f);
    if (fclose(f) != 0) {
        free(*text);
        *text = NULL;
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    return ALOUD_OK;
}

/* Writes `text` to DIR/name unless the file already holds exactly that. */
static aloud_status feed_write_if_changed(const char *dir, const char *name, const char *text,
                                          size_t len, aloud_error *err)
{
    char *path = feed_join(dir, name), *old = NULL;
    size_t old_size = 0;
    if (!path)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    aloud_status st = ALOUD_OK;
    if (feed_read_file(path, len + 1, &old, &old_size, NULL, NULL) != ALOUD_OK || old_size != len
        || memcmp(old, text, len) != 0)
        st = feed_write_file(path, text, len, err);
    free(old);
    free(path);
    return st;
}

/* ------------------------------------------------------------- settings */

/* Applies the options to the settings, copying a new feed image in. */
static aloud_status feed_apply_opts(feed_run *run, aloud_error *err)
{
    const aloud_feed_opts *o = run->opts;
    const char *given[KEY_COUNT] = {o->title, o->author, o->description, o->language,
                                    o->base_url, NULL, NULL};
    aloud_status st = ALOUD_OK;
    for (int k = 0; k < KEY_COUNT && st == ALOUD_OK; k++) {
        if (given[k] && !feed_settings_set(&run->settings, (feed_key)k, given[k],
                                           strlen(given[k])))
            st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    if (st == ALOUD_OK && o->image && *o->image) {
        char *data = NULL, name[16];
        size_t size = 0;
        const char *type = NULL;
        st = feed_read_image(o->image, &data, &size, &type, err);
        if (st == ALOUD_OK) {
            snprintf(name, sizeof name, "cover.%s", type);
            st = feed_write_if_changed(run->dir, name, data, size, err);
        }
        if (st == ALOUD_OK && !feed_settings_set(&run->settings, KEY_IMAGE, name, strlen(name)))
            st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        free(data);
    } else if (st == ALOUD_OK && o->image) {
        feed_settings_set(&run->settings, KEY_IMAGE, NULL, 0);
    }
    return st;
}

/* Reads DIR/feed.conf (when there is one), applies the options, writes it
 * back when that changed it, and fills in the default title. */
static aloud_status feed_settings_update(feed_run *run, aloud_error *err)
{
    char *path = feed_join(run->dir, "feed.conf"), *data = NULL;
    size_t size = 0;
    bool missing = false;
    if (!path)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    aloud_status st = feed_read_file(path, FEED_MAX_SETTINGS, &data, &size, &missing, err);
    if (st == ALOUD_ERR_READ && missing)
        st = ALOUD_OK;
    else if (st == ALOUD_OK)
        st = feed_settings_parse(data, size, &run->settings, err);
    free(data);
    data = NULL;
    if (st == ALOUD_OK && run->opts)
        st = feed_apply_opts(run, err);
    if (st == ALOUD_OK && !run->settings.value[KEY_GUID] && run->settings.value[KEY_BASE_URL]) {
        /* Once in the podcast's life, from the feed's first address: it
         * stays when the feed moves (podcast:guid, docs/tags/guid.md). */
        char url[FEED_URL_MAX], guid[37];
        if (feed_url(run->settings.value[KEY_BASE_URL], "feed.xml", url, sizeof url)) {
            feed_podcast_guid(url, guid);
            if (!feed_settings_set(&run->settings, KEY_GUID, guid, strlen(guid)))
                st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        }
    }
    if (st == ALOUD_OK) {
        FILE *f = open_memstream(&data, &size);
        if (!f)
            st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        if (f) {
            fputs("# The podcast feed of this folder (feed.xml), as `aloud feed` was told.\n"
                  "# Edit a line, or give the option again; `aloud feed DIR` rebuilds the feed.\n",
                  f);
            for (int k = 0; k < KEY_COUNT; k++)
                if (run->settings.value[k])
                    fprintf(f, "%s = %s\n", feed_key_names[k], run->settings.value[k]);
            if (fclose(f) != 0)
                st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        }
    }
    if (st == ALOUD_OK)
        st = feed_write_if_changed(run->dir, "feed.conf", data, size, err);
    free(data);
    free(path);
    if (st == ALOUD_OK && !run->settings.value[KEY_TITLE]) {
        /* The folder's own name, not saved: renaming the folder renames the feed. */
        char *real = realpath(run->dir, NULL);
        char *stem = real ? strrchr(real, '/') : NULL;
        const char *title = stem && stem[1] ? stem + 1 : "aloud";
        if (!feed_settings_set(&run->settings, KEY_TITLE, title, strlen(title)))
            st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        free(real);
    }
    return st;
}

/* ----------------------------------------------------------------- api */

aloud_status aloud_feed_check(const aloud_feed_opts *opts, aloud_error *err)
{
    if (!opts)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "aloud_feed_check: missing argument");
    const char *given[KEY_COUNT] = {opts->title, opts->author, opts->description, opts->language,
                                    opts->base_url, NULL, NULL};
    aloud_status st = ALOUD_OK;
    for (int k = 0; k < KEY_COUNT && st == ALOUD_OK; k++) {
        if (!given[k])
            continue;
        st = feed_check_value(feed_key_names[k], given[k], err);
        if (st == ALOUD_OK && k == KEY_BASE_URL)
            st = feed_check_base_url(given[k], err);
    }
    if (st == ALOUD_OK && opts->image && *opts->image) {
        char *data = NULL;
        size_t size = 0;
        const char *type = NULL;
        st = feed_read_image(opts->image, &data, &size, &type, err);
        free(data);
    }
    return st;
}

/* Takes the feed lock of `dir`: an flock() on DIR/.feed.lock, kept open. */
static int feed_lock(const char *dir, aloud_error *err)
{
    char brief[OUTFILE_BRIEF];
    char *path = feed_join(dir, ".feed.lock");
    if (!path) {
        aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot create %s: %s",
                        outfile_brief(path, brief, sizeof brief), strerror(errno));
    free(path);
    /* The folder lock's wait: retried through signals. */
    outfile_folder_lock(fd);
    return fd;
}

aloud_status aloud_feed_update(const char *dir, const aloud_feed_opts *opts,
                               aloud_feed_result *res, aloud_error *err)
{
    char brief[OUTFILE_BRIEF];
    struct stat sb;
    if (res)
        memset(res, 0, sizeof *res);
    if (!dir)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "aloud_feed_update: missing argument");
    int e = stat(dir, &sb) != 0 ? errno : 0;
    if (e || !S_ISDIR(sb.st_mode))
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "%s: %s",
                               outfile_brief(dir, brief, sizeof brief),
                               e ? strerror(e) : "not a folder");
    aloud_status st = opts ? aloud_feed_check(opts, err) : ALOUD_OK;
    if (st != ALOUD_OK)
        return st;
    feed_run run;
    memset(&run, 0, sizeof run);
    run.dir = dir;
    run.opts = opts;
    int lock = feed_lock(dir, err);
    if (lock < 0)
        return err ? err->status : ALOUD_ERR_WRITE;
    st = feed_settings_update(&run, err);
    if (st == ALOUD_OK)
        st = feed_scan(&run, err);
    for (size_t i = 0; i < run.count && st == ALOUD_OK; i++) {
        feed_item *it = &run.items[i];
        if (!it->chapters)
            continue;
        size_t size = strlen(it->stem) + sizeof ".chapters.json";
        char *name = malloc(size);
        if (!name) {
            st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
            break;
        }
        snprintf(name, size, "%s.chapters.json", it->stem);
        st = feed_write_if_changed(dir, name, it->chapters, strlen(it->chapters), err);
        free(name);
    }
    char *text = NULL;
    size_t size = 0;
    if (st == ALOUD_OK)
        st = feed_render(&run, &text, &size, err);
    if (st == ALOUD_OK)
        st = feed_write_if_changed(dir, "feed.xml", text, size, err);
    free(text);
    if (!run.settings.value[KEY_BASE_URL] && st == ALOUD_OK)
        feed_warn(&run, "feed.xml: no base URL (--base-url): its links are relative to where "
                        "it is served, which some podcast apps do not follow");
    if (st == ALOUD_OK && res) {
        run.result.items = run.count;
        for (size_t i = 0; i < run.count; i++)
            run.result.without_manifest += !run.items[i].manifest;
        *res = run.result;
    }
    for (size_t i = 0; i < run.count; i++)
        feed_item_clear(&run.items[i]);
    free(run.items);
    feed_settings_clear(&run.settings);
    close(lock);
    return st;
}

aloud_status aloud_feed_add_cover(const char *audio, const char *image, aloud_outputs *set,
                                  aloud_error *err)
{
    char *data = NULL;
    size_t size = 0;
    const char *type = NULL, *temp = NULL;
    char brief[OUTFILE_BRIEF];
    if (!audio || !image)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "aloud_feed_add_cover: missing argument");
    aloud_status st = feed_read_image(image, &data, &size, &type, err);
    if (st != ALOUD_OK)
        return st;
    const char *slash = strrchr(audio, '/');
    const char *dot = strrchr(audio, '.');
    size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - audio) : strlen(audio);
    size_t plen = stem + sizeof ".cover.jpg";
    char *path = malloc(plen);
    aloud_outputs *own = NULL;
    if (!path)
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    if (st == ALOUD_OK) {
        snprintf(path, plen, "%.*s.cover.%s", (int)stem, audio, type);
        if (!set && !(set = own = aloud_outputs_create()))
            st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    if (st == ALOUD_OK)
        st = outputs_begin(set, path, &temp, err);
    if (st == ALOUD_OK) {
        FILE *f = fopen(temp, "w");
        bool ok = f && fwrite(data, 1, size, f) == size;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok) {
            st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot write %s: %s",
                                 outfile_brief(path, brief, sizeof brief), strerror(errno));
            outputs_abandon(set, temp);
        }
    }
    if (st == ALOUD_OK && own)
        st = aloud_outputs_commit(own, err);
    aloud_outputs_free(own);
    free(path);
    free(data);
    return st;
}

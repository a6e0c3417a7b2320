/*
 * voice.c - voice defaults, preset files and the list of voices.
 *
 * A preset is a small UTF-8 text file, NAME.voice (see voices/README.md):
 *
 *     # comment
 *     voice = en-us+Annie
 *     rate = 180
 *
 * one `key = value` per line; blank lines and lines whose first non-blank
 * character is '#' are skipped ('#' elsewhere is part of the value). Keys
 * left out keep the defaults. Every fault (unknown or repeated key, missing
 * '=', a value that is no whole number or is out of range, invalid UTF-8, a
 * control character) is reported with its line and column, the column
 * counted in characters.
 *
 * Checking that espeak-ng knows the voice is aloud_voice_check()'s job
 * (speech.c), not the parser's.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "ascii.h"
#include "file_read.h"
#include "speech.h"
#include "utf8.h"
#include "vec.h"

/* The narrator. Rate 175 wpm is espeak-ng's own default. The pauses are
 * what espeak-ng itself leaves when it reads a whole text at that rate:
 * 301 ms after a sentence ending in '.' or '?', 536..576 ms where a blank
 * line follows. With 300/550 a render of GPL-3 lasts 1957.8 s against
 * 1957.4 s for `espeak-ng -v en-us -f`, and five other licence texts agree
 * within 0.1%; a 700 ms paragraph pause made them 0.5..1.3% longer (see
 * voices/README.md). */
#define VOICE_DEFAULT_ESPEAK "en-us"
#define VOICE_DEFAULT_RATE 175
#define VOICE_DEFAULT_PITCH 50
#define VOICE_DEFAULT_RANGE 50
#define VOICE_DEFAULT_VOLUME 100
#define VOICE_DEFAULT_WORD_GAP 0
#define VOICE_DEFAULT_SENTENCE_PAUSE_MS 300u
#define VOICE_DEFAULT_PARAGRAPH_PAUSE_MS 550u

#define VOICE_EXTENSION ".voice"
/* Presets are a dozen lines; anything this big is not one. */
#define VOICE_FILE_MAX (64 * 1024)

void aloud_voice_defaults(aloud_voice *voice)
{
    if (!voice)
        return;
    memset(voice, 0, sizeof *voice);
    snprintf(voice->name, sizeof voice->name, "%s", "narrator");
    snprintf(voice->espeak, sizeof voice->espeak, "%s", VOICE_DEFAULT_ESPEAK);
    voice->rate = VOICE_DEFAULT_RATE;
    voice->pitch = VOICE_DEFAULT_PITCH;
    voice->range = VOICE_DEFAULT_RANGE;
    voice->volume = VOICE_DEFAULT_VOLUME;
    voice->word_gap = VOICE_DEFAULT_WORD_GAP;
    voice->sentence_pause_ms = VOICE_DEFAULT_SENTENCE_PAUSE_MS;
    voice->paragraph_pause_ms = VOICE_DEFAULT_PARAGRAPH_PAUSE_MS;
}

/* ------------------------------------------------------------- parsing */

typedef enum voice_key_id {
    VOICE_KEY_VOICE,
    VOICE_KEY_DESCRIPTION,
    VOICE_KEY_RATE,
    VOICE_KEY_PITCH,
    VOICE_KEY_RANGE,
    VOICE_KEY_VOLUME,
    VOICE_KEY_WORD_GAP,
    VOICE_KEY_SENTENCE_PAUSE,
    VOICE_KEY_PARAGRAPH_PAUSE,
    VOICE_KEY_LEXICON,
    VOICE_KEY_COUNT
} voice_key_id;

/* The keys of a preset, in voice_key_id order; numbers are bounded by
 * [min, max], strings by the size of their field. */
static const struct voice_key {
    const char *name;
    bool number;
    long min, max;
} voice_keys[VOICE_KEY_COUNT] = {
    {"voice", false, 0, 0},
    {"description", false, 0, 0},
    {"rate", true, SPEECH_RATE_MIN, SPEECH_RATE_MAX},
    {"pitch", true, 0, SPEECH_PITCH_MAX},
    {"range", true, 0, SPEECH_RANGE_MAX},
    {"volume", true, 0, SPEECH_VOLUME_MAX},
    {"word-gap", true, 0, SPEECH_WORD_GAP_MAX},
    {"sentence-pause", true, 0, SPEECH_PAUSE_MAX_MS},
    {"paragraph-pause", true, 0, SPEECH_PAUSE_MAX_MS},
    {"lexicon", false, 0, 0},
};

/* One line of a preset being parsed, for positions in errors. */
typedef struct voice_line {
    const char *text;  /* the line, without its line end */
    size_t size;
    unsigned number;   /* 1-based */
} voice_line;

/* The 1-based column, in characters, of byte `offset` of a valid line. */
static unsigned voice_column(const voice_line *ln, size_t offset)
{
    unsigned column = 1;
    for (size_t i = 0; i < offset && i < ln->size; i++) {
        if (((unsigned char)ln->text[i] & 0xC0) != 0x80)
            column++;
    }
    return column;
}

/* Rejects invalid UTF-8 and control characters (tab aside) in a line. */
static aloud_status voice_check_line(const voice_line *ln, aloud_error *err)
{
    const unsigned char *s = (const unsigned char *)ln->text;
    for (size_t i = 0; i < ln->size;) {
        uint32_t cp;
        size_t len = utf8_next(ln->text + i, ln->size - i, &cp);
        if (len == 0)
            return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, voice_column(ln, i),
                                   "invalid UTF-8");
        if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F)
            return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, voice_column(ln, i),
                                   "control character 0x%02X", s[i]);
        i += len;
    }
    return ALOUD_OK;
}

static bool voice_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A word that could be a key: short, letters, digits, '-' and '_'. Only such a word is quoted back in a message; anything else is a
 * line of some other file, whose content is not ours to echo. */
static bool voice_is_plain_key(const char *s, size_t n)
{
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!ascii_is_alnum(s[i]) && s[i] != '-' && s[i] != '_')
            return false;
    }
    return true;
}

/* Parses a whole number in text[0..size) into [min, max]. */
static aloud_status voice_parse_number(const voice_line *ln, size_t at, size_t size,
                                       const struct voice_key *key, long *out, aloud_error *err)
{
    const char *s = ln->text + at;
    unsigned column = voice_column(ln, at);
    size_t i = 0;
    bool negative = false;
    if (i < size && (s[i] == '+' || s[i] == '-'))
        negative = s[i++] == '-';
    if (i == size)
        return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, column,
                               "%s: '%.*s' is not a whole number", key->name, (int)size, s);
    long value = 0;
    for (; i < size; i++) {
        if (!ascii_is_digit(s[i]))
            return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, column,
                                   "%s: '%.*s' is not a whole number", key->name, (int)size, s);
        /* Anything past a million is out of every range; stop it growing. */
        if (value < 1000000)
            value = value * 10 + (s[i] - '0');
    }
    if (negative)
        value = -value;
    if (value < key->min || value > key->max)
        return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, column,
                               "%s %.*s is out of range %ld..%ld", key->name, (int)size, s,
                               key->min, key->max);
    *out = value;
    return ALOUD_OK;
}

/* Copies a string value into `field`, refusing what does not fit. */
static aloud_status voice_copy_string(const voice_line *ln, size_t at, size_t size,
                                      const struct voice_key *key, char *field,
                                      size_t field_size, aloud_error *err)
{
    if (size >= field_size)
        return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, voice_column(ln, at),
                               "%s is %zu bytes long; at most %zu fit", key->name, size,
                               field_size - 1);
    memcpy(field, ln->text + at, size);
    field[size] = '\0';
    return ALOUD_OK;
}

/* Applies one `key = value` line to `v`; `seen` holds the line of each key. */
static aloud_status voice_parse_line(const voice_line *ln, aloud_voice *v,
                                     unsigned seen[VOICE_KEY_COUNT], aloud_error *err)
{
    const char *s = ln->text;
    size_t n = ln->size;
    size_t i = 0;
    while (i < n && voice_is_blank(s[i]))
        i++;
    if (i == n || s[i] == '#')
        return ALOUD_OK;

    size_t key_at = i;
    while (i < n && !voice_is_blank(s[i]) && s[i] != '=')
        i++;
    size_t key_size = i - key_at;
    if (key_size == 0)
        return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, voice_column(ln, key_at),
                               "missing key before '='");
    while (i < n && voice_is_blank(s[i]))
        i++;
    if (!voice_is_plain_key(s + key_at, key_size))
        return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, voice_column(ln, key_at),
                               "expected 'key = value' (a key is letters and '-')");
    if (i == n || s[i] != '=')
        return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, voice_column(ln, i),
                               "expected '=' after '%.*s'", (int)key_size, s + key_at);
    i++;

    size_t id = 0;
    while (id < VOICE_KEY_COUNT && (strlen(voice_keys[id].name) != key_size ||
                                    memcmp(voice_keys[id].name, s + key_at, key_size) != 0))
        id++;
    if (id == VOICE_KEY_COUNT)
        return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, voice_column(ln, key_at),
                               "unknown key '%.*s'", (int)key_size, s + key_at);
    const struct voice_key *key = &voice_keys[id];
    if (seen[id])
        return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, voice_column(ln, key_at),
                               "duplicate key '%s' (set on line %u already)", key->name, seen[id]);
    seen[id] = ln->number;

    while (i < n && voice_is_blank(s[i]))
        i++;
    size_t value_at = i;
    size_t end = n;
    while (end > value_at && voice_is_blank(s[end - 1]))
        end--;
    size_t value_size = end - value_at;
    if (value_size == 0 && id != VOICE_KEY_DESCRIPTION)
        return aloud_error_set(err, ALOUD_ERR_VOICE, ln->number, voice_column(ln, value_at),
                               "missing value for '%s'", key->name);

    long number = 0;
    if (key->number) {
        aloud_status st = voice_parse_number(ln, value_at, value_size, key, &number, err);
        if (st != ALOUD_OK)
            return st;
    }
    switch ((voice_key_id)id) {
    case VOICE_KEY_VOICE:
        return voice_copy_string(ln, value_at, value_size, key, v->espeak, sizeof v->espeak, err);
    case VOICE_KEY_DESCRIPTION:
        return voice_copy_string(ln, value_at, value_size, key, v->description,
                                 sizeof v->description, err);
    case VOICE_KEY_RATE:
        v->rate = (int)number;
        break;
    case VOICE_KEY_PITCH:
        v->pitch = (int)number;
        break;
    case VOICE_KEY_RANGE:
        v->range = (int)number;
        break;
    case VOICE_KEY_VOLUME:
        v->volume = (int)number;
        break;
    case VOICE_KEY_WORD_GAP:
        v->word_gap = (int)number;
        break;
    case VOICE_KEY_SENTENCE_PAUSE:
        v->sentence_pause_ms = (unsigned)number;
        break;
    case VOICE_KEY_PARAGRAPH_PAUSE:
        v->paragraph_pause_ms = (unsigned)number;
        break;
    case VOICE_KEY_LEXICON:
        /* Resolved by the caller: a bare name is lexicon/NAME.lex in the presets folder. */
        return voice_copy_string(ln, value_at, value_size, key, v->lexicon, sizeof v->lexicon,
                                 err);
    case VOICE_KEY_COUNT:
        break;
    }
    return ALOUD_OK;
}

/* True when no key has been set yet. */
static bool voice_none_seen(const unsigned seen[VOICE_KEY_COUNT])
{
    for (size_t i = 0; i < VOICE_KEY_COUNT; i++) {
        if (seen[i])
            return false;
    }
    return true;
}

/*
 * Parses a preset's bytes over the defaults into *v. A fault before any
 * key was set, in a file not named NAME.voice (`named_preset` false), means
 * the file is no preset at all (--voice /etc/passwd): said so, at the
 * fault's position, without a word of the file.
 */
static aloud_status voice_parse(const char *data, size_t size, bool named_preset, aloud_voice *v,
                                aloud_error *err)
{
    unsigned seen[VOICE_KEY_COUNT] = {0};
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        size -= 3;
    }
    unsigned number = 1;
    for (size_t at = 0; at < size; number++) {
        const char *nl = memchr(data + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - data) : size;
        voice_line ln = {data + at, end - at, number};
        if (ln.size > 0 && ln.text[ln.size - 1] == '\r')
            ln.size--;
        aloud_status st = voice_check_line(&ln, err);
        if (st == ALOUD_OK)
            st = voice_parse_line(&ln, v, seen, err);
        if (st == ALOUD_ERR_VOICE && !named_preset && voice_none_seen(seen))
            return aloud_error_set(err, st, err ? err->line : 0, err ? err->column : 0,
                                   "not a voice preset file (one 'key = value' a line, see "
                                   "voices/README.md)");
        if (st != ALOUD_OK)
            return st;
        at = nl ? end + 1 : size;
    }
    return ALOUD_OK;
}

/* ------------------------------------------------------------- loading */

/* Reads a whole file of at most VOICE_FILE_MAX bytes; the caller frees *out. */
static aloud_status voice_read_file(const char *path, char **out, size_t *size, aloud_error *err)
{
    file_read_info info;

    *out = NULL;
    switch (file_read_text(path, VOICE_FILE_MAX, NULL, out, size, &info)) {
    case FILE_READ_OK:
        return ALOUD_OK;
    case FILE_READ_OPEN:
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "cannot open preset %s: %s", path,
                               strerror(info.errno_value));
    case FILE_READ_DIRECTORY:
    case FILE_READ_FAILED:
    case FILE_READ_STOPPED: /* not without a stop flag */
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "cannot read preset %s: %s", path,
                               strerror(info.errno_value));
    case FILE_READ_BINARY:  /* --voice /bin/ls: found in the first block */
        return aloud_error_set(err, ALOUD_ERR_VOICE, info.nul_line, info.nul_column,
                               "not a voice preset file (a NUL byte: binary data)");
    case FILE_READ_CHANGED:
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "preset %s changed while being read",
                               path);
    case FILE_READ_TOO_LARGE:
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "preset %s is larger than %d KiB",
                               path, VOICE_FILE_MAX / 1024);
    case FILE_READ_NOMEM:
        break;
    }
    return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
}

static bool voice_has_extension(const char *name)
{
    size_t len = strlen(name), ext = strlen(VOICE_EXTENSION);
    return len > ext && strcmp(name + len - ext, VOICE_EXTENSION) == 0;
}

/* Loads the preset file `path` as the voice called `name`. */
static aloud_status voice_load_file(const char *path, const char *name, size_t name_size,
                                    aloud_voice *out, aloud_error *err)
{
    aloud_voice v;
    aloud_voice_defaults(&v);
    if (name_size == 0 || name_size >= sizeof v.name)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                               "preset name '%.*s' must be 1 to %zu bytes long", (int)name_size,
                               name, sizeof v.name - 1);
    memcpy(v.name, name, name_size);
    v.name[name_size] = '\0';
    v.description[0] = '\0';

    char *data = NULL;
    size_t size = 0;
    aloud_status st = voice_read_file(path, &data, &size, err);
    if (st != ALOUD_OK)
        return st;
    st = voice_parse(data, size, voice_has_extension(path), &v, err);
    free(data);
    if (st == ALOUD_OK)
        *out = v;
    return st;
}

/* A name with a '/' or ending in ".voice" is a preset file's path. */
static bool voice_is_path(const char *name)
{
    return strchr(name, '/') || voice_has_extension(name);
}

const char *aloud_voice_preset_path(const char *name, const char *presets_dir, char *buf,
                                    size_t size)
{
    int n;
    if (!name || !buf || size == 0 || name[0] == '\0')
        return NULL;
    if (voice_is_path(name))
        n = snprintf(buf, size, "%s", name);
    else if (presets_dir && presets_dir[0] != '\0')
        n = snprintf(buf, size, "%s/%s%s", presets_dir, name, VOICE_EXTENSION);
    else
        return NULL;
    return n >= 0 && (size_t)n < size ? buf : NULL;
}

aloud_status aloud_voice_load(const char *name, const char *presets_dir, aloud_voice *out,
                              aloud_error *err)
{
    if (!name || !out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no voice name or result");
    if (name[0] == '\0')
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "empty voice name");

    if (voice_is_path(name)) {
        const char *base = strrchr(name, '/');
        base = base ? base + 1 : name;
        size_t len = strlen(base);
        if (voice_has_extension(base))
            len -= strlen(VOICE_EXTENSION);
        return voice_load_file(name, base, len, out, err);
    }

    if (presets_dir && presets_dir[0] != '\0') {
        size_t need = strlen(presets_dir) + 1 + strlen(name) + strlen(VOICE_EXTENSION) + 1;
        char *path = malloc(need);
        if (!path)
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        aloud_voice_preset_path(name, presets_dir, path, need);
        FILE *f = fopen(path, "rb");
        int saved = errno;
        if (f) {
            fclose(f);
            aloud_status st = voice_load_file(path, name, strlen(name), out, err);
            free(path);
            return st;
        }
        if (saved != ENOENT && saved != ENOTDIR) {
            aloud_status st = aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                                              "cannot open preset %s: %s", path, strerror(saved));
            free(path);
            return st;
        }
        free(path);
    }

    /* No preset of that name: a plain espeak-ng voice with the defaults. */
    aloud_voice v;
    aloud_voice_defaults(&v);
    size_t len = strlen(name);
    if (len >= sizeof v.name)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                               "unknown voice '%.20s...': no such preset, and too long for an "
                               "espeak-ng voice",
                               name);
    memcpy(v.name, name, len + 1);
    memcpy(v.espeak, name, len + 1);
    v.description[0] = '\0';
    *out = v;
    return ALOUD_OK;
}

/* ------------------------------------------------------------- listing */

static int voice_compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The preset file names (NAME.voice) in `dir`, sorted; NULL-terminated. */
static aloud_status voice_preset_files(const char *dir, char ***out, size_t *count,
                                       aloud_error *err)
{
    *out = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR)
            return ALOUD_OK; /* no presets there */
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "cannot read presets folder %s: %s",
                               dir, strerror(errno));
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    aloud_status st = ALOUD_OK;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.' || !voice_has_extension(ent->d_name))
            continue;
        if (!vec_reserve(&names, &cap, n + 1, sizeof *names, 16)) {
            st = ALOUD_ERR_NOMEM;
            break;
        }
        names[n] = strdup(ent->d_name);
        if (!names[n]) {
            st = ALOUD_ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (st != ALOUD_OK) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return aloud_error_set(err, st, 0, 0, "out of memory");
    }
    if (n > 1)
        qsort(names, n, sizeof *names, voice_compare_names);
    *out = names;
    *count = n;
    return ALOUD_OK;
}

aloud_status aloud_voice_list(const char *presets_dir, aloud_voice_list_fn fn, void *ctx,
                              aloud_error *err)
{
    if (!fn)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no callback");
    if (presets_dir && presets_dir[0] != '\0') {
        char **files;
        size_t count;
        aloud_status st = voice_preset_files(presets_dir, &files, &count, err);
        if (st != ALOUD_OK)
            return st;
        for (size_t i = 0; i < count && st == ALOUD_OK; i++) {
            size_t need = strlen(presets_dir) + 1 + strlen(files[i]) + 1;
            char *path = malloc(need);
            if (!path) {
                st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
                break;
            }
            snprintf(path, need, "%s/%s", presets_dir, files[i]);
            size_t name_size = strlen(files[i]) - strlen(VOICE_EXTENSION);
            aloud_voice v;
            aloud_error perr = {0};
            char name[sizeof v.name];
            snprintf(name, sizeof name, "%.*s", (int)name_size, files[i]);
            /* A broken preset is listed with its fault rather than hidden. */
            if (voice_load_file(path, files[i], name_size, &v, &perr) == ALOUD_OK) {
                fn(ctx, "preset", v.name, v.espeak, v.description);
            } else {
                char why[sizeof perr.message + 64];
                if (perr.line > 0)
                    snprintf(why, sizeof why, "(broken: line %u, column %u: %s)", perr.line,
                             perr.column, perr.message);
                else
                    snprintf(why, sizeof why, "(broken: %s)", perr.message);
                fn(ctx, "preset", name, "", why);
            }
            free(path);
        }
        for (size_t i = 0; i < count; i++)
            free(files[i]);
        free(files);
        if (st != ALOUD_OK)
            return st;
    }
    return speech_voices_list(fn, ctx, err);
}

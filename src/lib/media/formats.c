/*
 * formats.c - the format table and the public lookups over it.
 *
 * An entry is the only description of a container: its names, how many
 * chapters a file holds, its bitrate range, its writer and its reader.
 * Adding a container means adding one entry here; callers pick by name or
 * extension (or, reading, by the file's first bytes) and never name a writer
 * or a reader directly.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aloud.h"
#include "ascii.h"
#include "id3v2.h"
#include "media_read.h"
#include "writer.h"

/*
 * WAV: 16-bit PCM (RF64 past 4 GiB), chapters as cue points with labels.
 * A `cue ` chunk's 32-bit size holds (2^32 - 1 - 4) / 24 points.
 */
const aloud_format formats_wav = {
    .name = "wav",
    .extension = "wav",
    .label = "WAV",
    .chapter_cap = (UINT32_MAX - 4u) / 24u,
    .writer = &writer_wav,
    .sniff = read_wav_sniff,
    .read = read_wav_read,
};

/*
 * FLAC: lossless, chapters as CHAPTERnnn comments (and a cuesheet up to 254
 * chapters). The Chapter Extension numbers 000-999 and ffprobe ignores
 * numbers above 999; the writer numbers from 001 to match the cuesheet
 * (which has no track 0), so 999 chapters can be named.
 */
const aloud_format formats_flac = {
    .name = "flac",
    .extension = "flac",
    .label = "FLAC",
    .chapter_cap = 999u,
    .writer = &writer_flac,
    .sniff = read_flac_sniff,
    .read = read_flac_read,
};

/*
 * Ogg Opus: chapters as CHAPTERnnn comments, numbered from 001 like FLAC's.
 * Speech at 44 kb/s VBR, about 20 MB an hour: with opus_writer.c's
 * complexity 4 as close to the source as complexity 10 at 32 kb/s was (mel
 * log-spectral distance 1.885 against 1.954 dB on text/news.txt, 1.850
 * against 1.909 on text/letter.txt; bench/codec_settings.py), for 30% more
 * bytes and 40 to 45% less encoder time. 42 kb/s falls just short (1.956).
 * libopus takes 6 to 256 kb/s a channel (510 in all for stereo).
 */
const aloud_format formats_opus = {
    .name = "opus",
    .extension = "opus",
    .label = "Ogg Opus",
    .chapter_cap = 999u,
    .bitrate_min = 6000u,
    .bitrate_max = 512000u,
    .bitrate_default = 44000u,
    .writer = &writer_opus,
    .sniff = read_ogg_sniff,
    .read = read_ogg_read,
};

/*
 * Layer III bitrates by MPEG version, in kb/s: a frame header holds an index
 * into one of these, and LAME rounds any other request to a neighbour
 * without a word (192 became 160 at 22050 Hz). MPEG-1 is 32 to 48 kHz,
 * MPEG-2 16 to 24 kHz (espeak-ng's 22050 Hz), MPEG-2.5 8 to 12 kHz, where
 * LAME stops at 64.
 */
static const unsigned formats_mp3_mpeg1[] = {32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224,
                                             256, 320, 0};
static const unsigned formats_mp3_mpeg2[] = {8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144,
                                             160, 0};
static const unsigned formats_mp3_mpeg25[] = {8, 16, 24, 32, 40, 48, 56, 64, 0};

static const unsigned *formats_mp3_steps(unsigned sample_rate)
{
    if (sample_rate >= 32000u)
        return formats_mp3_mpeg1;
    return sample_rate >= 16000u ? formats_mp3_mpeg2 : formats_mp3_mpeg25;
}

/*
 * MP3: constant bitrate, chapters as ID3v2 CHAP frames listed by one flat
 * top-level CTOC, whose count is 8 bits: 255 (BookPlayer's count wraps past
 * it, and no app is known to read nested tables of contents). 8 to 320 kb/s over all sample
 * rates, but only the steps of the rate's MPEG version (above); at 64 kb/s,
 * which every version has, LAME's header fits at 22050 Hz and speech loses
 * nothing audible.
 */
const aloud_format formats_mp3 = {
    .name = "mp3",
    .extension = "mp3",
    .label = "MP3",
    .chapter_cap = ID3_MAX_CHAPTERS,
    .bitrate_min = 8000u,
    .bitrate_max = 320000u,
    .bitrate_default = 64000u,
    .bitrate_steps = formats_mp3_steps,
    .writer = &writer_mp3,
    .sniff = read_mp3_sniff,
    .read = read_mp3_read,
};

/*
 * M4B and M4A: AAC-LC in MP4 (mp4_writer.c), the same file but for its
 * brand; audiobook apps on the iPhone take M4B as a book. Chapters as a
 * QuickTime chapter track and a Nero chpl box, whose common form counts
 * them in 8 bits: 255. AAC at 22050 Hz mono with FFmpeg's native encoder
 * (fast coder): 40 kb/s is as close to the speech as MP3 at 64 (SNR 21.7
 * against 22.6 dB) in 79% of the bytes; 32 kb/s loses 3 dB more (README,
 * "Listening on a phone"). It takes up to 6144 bits a channel per 1024
 * samples, 132 kb/s at 22050 Hz.
 */
const aloud_format formats_m4b = {
    .name = "m4b",
    .extension = "m4b",
    .label = "M4B",
    .chapter_cap = 255u,
    .bitrate_min = 16000u,
    .bitrate_max = 128000u,
    .bitrate_default = 40000u,
    .writer = &writer_m4b,
    .sniff = read_m4b_sniff,
    .read = read_mp4_read,
};

const aloud_format formats_m4a = {
    .name = "m4a",
    .extension = "m4a",
    .label = "M4A",
    .chapter_cap = 255u,
    .bitrate_min = 16000u,
    .bitrate_max = 128000u,
    .bitrate_default = 40000u,
    .writer = &writer_m4a,
    .sniff = read_mp4_sniff,
    .read = read_mp4_read,
};

static const aloud_format *const formats_table[] = {
    &formats_wav,
    &formats_flac,
    &formats_opus,
    &formats_mp3,
    &formats_m4b,
    &formats_m4a,
};
#define FORMATS_COUNT (sizeof formats_table / sizeof formats_table[0])

const aloud_format *aloud_format_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < FORMATS_COUNT; i++) {
        if (strcmp(formats_table[i]->name, name) == 0)
            return formats_table[i];
    }
    return NULL;
}

const aloud_format *aloud_format_by_path(const char *path)
{
    const char *slash;
    const char *dot;

    if (!path)
        return NULL;
    slash = strrchr(path, '/');
    dot = strrchr(slash ? slash + 1 : path, '.');
    /* A leading dot names a hidden file (".wav"), not an extension. */
    if (!dot || dot == (slash ? slash + 1 : path))
        return NULL;
    for (size_t i = 0; i < FORMATS_COUNT; i++) {
        if (ascii_eq_nocase(dot + 1, strlen(dot + 1), formats_table[i]->extension))
            return formats_table[i];
    }
    return NULL;
}

const char *aloud_format_name(const aloud_format *format)
{
    return format ? format->name : NULL;
}

const char *aloud_format_extension(const aloud_format *format)
{
    return format ? format->extension : NULL;
}

const aloud_format *aloud_format_at(size_t index)
{
    return index < FORMATS_COUNT ? formats_table[index] : NULL;
}

size_t aloud_format_chapter_cap(const aloud_format *format)
{
    return format ? format->chapter_cap : 0;
}

int aloud_format_bitrate_range(const aloud_format *format, unsigned *min_bps, unsigned *max_bps,
                               unsigned *default_bps)
{
    static const aloud_format none = {0};
    const aloud_format *f = format ? format : &none;

    if (min_bps)
        *min_bps = f->bitrate_min;
    if (max_bps)
        *max_bps = f->bitrate_max;
    if (default_bps)
        *default_bps = f->bitrate_default;
    return f->bitrate_max > 0;
}

aloud_status aloud_format_bitrate_check(const aloud_format *format, unsigned sample_rate,
                                        unsigned bps, aloud_error *err)
{
    const unsigned *steps;
    char list[160];
    size_t used = 0;

    if (!format || sample_rate == 0)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no format or sample rate");
    if (format->bitrate_max == 0)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "%s takes no bitrate", format->label);
    steps = format->bitrate_steps ? format->bitrate_steps(sample_rate) : NULL;
    if (!steps) {
        if (bps >= format->bitrate_min && bps <= format->bitrate_max)
            return ALOUD_OK;
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "%s takes %u to %u kb/s", format->label,
                               (format->bitrate_min + 999u) / 1000u, format->bitrate_max / 1000u);
    }
    for (size_t i = 0; steps[i]; i++) {
        if (steps[i] * 1000u == bps)
            return ALOUD_OK;
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%u",
                                 i == 0 ? "" : steps[i + 1] ? ", " : " or ", steps[i]);
        assert(used < sizeof list);
    }
    return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "%s at %u Hz takes %s kb/s", format->label,
                           sample_rate, list);
}

aloud_status writer_bitrate(const aloud_format *format, unsigned sample_rate, unsigned requested,
                            unsigned *out, aloud_error *err)
{
    unsigned bitrate = requested ? requested : format->bitrate_default;
    aloud_error why = {0};
    aloud_status st = aloud_format_bitrate_check(format, sample_rate, bitrate, &why);

    if (st != ALOUD_OK)
        return aloud_error_set(err, st, 0, 0, "bitrate %u b/s refused: %s", bitrate, why.message);
    *out = bitrate;
    return ALOUD_OK;
}

char *writer_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

/*
 * An empty file is opened as it is, not truncated: on ext4 a truncation,
 * even of an empty file, makes close() start writeback of everything
 * written since, in the closing process (auto_da_alloc). That cost 75-107 ms
 * at the end of a 250 MB render, with a core idle. The render always hands
 * the writers a fresh empty file.
 */
int writer_create_fd(const char *path)
{
    struct stat sb;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd >= 0 && (fstat(fd, &sb) != 0 || (sb.st_size > 0 && ftruncate(fd, 0) != 0))) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

FILE *writer_create_file(const char *path)
{
    int fd = writer_create_fd(path);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

/* A file with no name in the folder of `path`, or -1 where the kernel or
 * the filesystem cannot make one (O_TMPFILE: Linux 3.11 on). */
static int writer_unnamed_fd(const char *path)
{
#ifdef O_TMPFILE
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) + 1 : 0;
    char *dir = malloc(n + 2);
    if (!dir)
        return -1;
    if (n > 0)
        memcpy(dir, path, n);
    else
        dir[n++] = '.';
    dir[n] = '\0';
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    free(dir);
    return fd;
#else
    (void)path;
    return -1;
#endif
}

aloud_status writer_create_spool(const char *path, FILE **out, aloud_error *err)
{
    int fd = writer_unnamed_fd(path), e;

    *out = NULL;
    if (fd < 0) {
        /* A name for a moment: a run killed between these two calls leaves
         * it, and the next run of the same output removes it (outputs.c). */
        size_t n = strlen(path) + sizeof ".spool-XXXXXX";
        char *name = malloc(n);
        if (!name)
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        snprintf(name, n, "%s.spool-XXXXXX", path);
        fd = mkstemp(name);
        if (fd < 0) {
            e = errno;
            free(name);
            return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                                   "cannot create a spool file beside %s: %s", path, strerror(e));
        }
        unlink(name);
        free(name);
    }
    *out = fdopen(fd, "w+b");
    if (!*out) {
        e = errno;
        close(fd);
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot open the spool file: %s",
                               strerror(e));
    }
    return ALOUD_OK;
}

void writer_replaygain(const writer_gain *gain, char *db, size_t db_size, char *peak,
                       size_t peak_size)
{
    double g = WRITER_REPLAYGAIN_REFERENCE - gain->loudness;
    double p = gain->peak < 0 ? 0 : gain->peak > 1 ? 1 : gain->peak;
    snprintf(db, db_size, "%+.2f dB", g);
    snprintf(peak, peak_size, "%.6f", p);
}

bool writer_write_all(int fd, const void *data, size_t size)
{
    const unsigned char *p = data;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return false;
        }
        p += n;
        size -= (size_t)n;
    }
    return true;
}

char **writer_copy_titles(const writer_params *params)
{
    size_t n = params->chapter_count;
    char **titles = calloc(n ? n : 1, sizeof *titles);
    for (size_t i = 0; titles && i < n; i++) {
        const char *t = params->chapter_titles ? params->chapter_titles[i] : NULL;
        titles[i] = strdup(t ? t : "");
        if (!titles[i]) {
            writer_free_titles(titles, i);
            titles = NULL;
        }
    }
    return titles;
}

void writer_free_titles(char **titles, size_t count)
{
    if (!titles)
        return;
    for (size_t i = 0; i < count; i++)
        free(titles[i]);
    free(titles);
}

aloud_status writer_check_chapters(size_t count, const uint64_t *frames, uint64_t total,
                                   aloud_error *err)
{
    if (count && !frames)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no chapter positions given");
    for (size_t i = 0; i < count; i++) {
        if (frames[i] > total)
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                                   "chapter %zu starts at frame %" PRIu64 ", past the end (%" PRIu64
                                   ")",
                                   i + 1, frames[i], total);
        if (i > 0 && frames[i] < frames[i - 1])
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                                   "chapter %zu starts before chapter %zu", i + 1, i);
    }
    return ALOUD_OK;
}

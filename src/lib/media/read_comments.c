/*
 * read_comments.c - the Vorbis comments FLAC and Ogg Opus share: the tags
 * and the Chapter Extension's CHAPTERnnn=HH:MM:SS.mmm / CHAPTERnnnNAME=...
 * entries, merged by number with a FLAC cuesheet's tracks as ffprobe does.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "ascii.h"
#include "clock.h"
#include "media_read.h"

/* CHAPTERnnn comments: three digits, so numbers 000-999. */
#define READ_COMMENTS_MAX 1000u

/* What the blocks say about chapter n. */
typedef struct read_comments_entry {
    bool have_track;   /* from a FLAC CUESHEET: sample-exact */
    uint64_t track_frame;
    bool have_time;    /* from CHAPTERnnn */
    uint64_t ms;
    char *name;        /* from CHAPTERnnnNAME, owned */
} read_comments_entry;

struct read_comments {
    read_comments_entry *ch; /* READ_COMMENTS_MAX entries, by number */
};

read_comments *read_comments_create(void)
{
    read_comments *rc = calloc(1, sizeof *rc);

    if (rc && !(rc->ch = calloc(READ_COMMENTS_MAX, sizeof *rc->ch))) {
        free(rc);
        rc = NULL;
    }
    return rc;
}

void read_comments_free(read_comments *rc)
{
    if (!rc)
        return;
    for (size_t i = 0; i < READ_COMMENTS_MAX; i++)
        free(rc->ch[i].name);
    free(rc->ch);
    free(rc);
}

/* Reads up to `max` digits into *v; returns how many were read. */
static size_t read_comments_digits(const char *s, size_t max, uint64_t *v)
{
    size_t i = 0;

    *v = 0;
    while (i < max && ascii_is_digit(s[i])) {
        *v = *v * 10u + (uint64_t)(s[i] - '0');
        i++;
    }
    return i;
}

/*
 * Parses HH:MM:SS[.fff] into milliseconds. The fraction is read as a
 * decimal fraction (".5" is 500 ms), as the Chapter Extension means it.
 */
static bool read_comments_parse_time(const char *s, uint64_t *ms)
{
    uint64_t h, m, sec, frac = 0;
    size_t n, fd = 0;

    if (!(n = read_comments_digits(s, 9, &h)) || s[n] != ':')
        return false;
    s += n + 1;
    if (!(n = read_comments_digits(s, 2, &m)) || s[n] != ':' || m > 59)
        return false;
    s += n + 1;
    if (!(n = read_comments_digits(s, 2, &sec)) || sec > 59)
        return false;
    s += n;
    if (*s == '.') {
        fd = read_comments_digits(s + 1, 3, &frac);
        if (fd == 0)
            return false;
        s += 1 + fd;
        while (ascii_is_digit(*s))
            s++; /* digits past milliseconds are dropped */
        for (; fd < 3; fd++)
            frac *= 10u;
    }
    if (*s != '\0')
        return false;
    *ms = ((h * 60u + m) * 60u + sec) * 1000u + frac;
    return true;
}

/* CHAPTERnnn=time or CHAPTERnnnNAME=title; other entries are ignored. */
static aloud_status read_comments_chapter(read_comments *rc, const char *name, size_t name_len,
                                          const char *value, size_t value_len, aloud_error *err)
{
    uint64_t num;
    read_comments_entry *c;

    if (name_len < 10 || !ascii_eq_nocase(name, 7, "CHAPTER") ||
        read_comments_digits(name + 7, 3, &num) != 3)
        return ALOUD_OK;
    c = &rc->ch[num];
    if (name_len == 10) {
        char buf[40];

        if (value_len >= sizeof buf)
            return ALOUD_OK;
        memcpy(buf, value, value_len);
        buf[value_len] = '\0';
        if (!c->have_time && read_comments_parse_time(buf, &c->ms))
            c->have_time = true;
    } else if (ascii_eq_nocase(name + 10, name_len - 10, "NAME") && !c->name) {
        c->name = media_text_dup(value, value_len);
        if (!c->name)
            return media_nomem(err);
    }
    return ALOUD_OK;
}

/*
 * One NAME=value Vorbis comment: the tags and the CHAPTERnnn entries.
 * Shared by FLAC and Ogg Opus, which carry the same comments.
 */
aloud_status read_comments_add(read_comments *rc, const char *e, size_t len, aloud_media *m,
                               aloud_error *err)
{
    const char *eq = e ? memchr(e, '=', len) : NULL;
    size_t name_len, value_len;

    if (!eq)
        return ALOUD_OK;
    name_len = (size_t)(eq - e);
    value_len = len - name_len - 1;
    if (ascii_eq_nocase(e, name_len, "TITLE"))
        return media_set_tag(&m->title, eq + 1, value_len, err);
    if (ascii_eq_nocase(e, name_len, "ARTIST"))
        return media_set_tag(&m->author, eq + 1, value_len, err);
    if (ascii_eq_nocase(e, name_len, "ENCODER") || ascii_eq_nocase(e, name_len, "SOFTWARE"))
        return media_set_tag(&m->software, eq + 1, value_len, err);
    return read_comments_chapter(rc, e, name_len, eq + 1, value_len, err);
}

void read_comments_track(read_comments *rc, unsigned number, uint64_t frame)
{
    if (number >= READ_COMMENTS_MAX || rc->ch[number].have_track)
        return;
    rc->ch[number].have_track = true;
    rc->ch[number].track_frame = frame;
}

aloud_status read_comments_chapters(read_comments *rc, aloud_media *m, aloud_error *err)
{
    size_t n = 0;

    for (size_t i = 0; i < READ_COMMENTS_MAX; i++)
        n += rc->ch[i].have_track || rc->ch[i].have_time;
    if (n == 0)
        return ALOUD_OK;
    m->chapters = calloc(n, sizeof *m->chapters);
    if (!m->chapters)
        return media_nomem(err);
    for (size_t i = 0; i < READ_COMMENTS_MAX; i++) {
        read_comments_entry *c = &rc->ch[i];
        aloud_chapter *out = &m->chapters[m->chapter_count];

        if (!c->have_track && !c->have_time)
            continue;
        out->frame = c->have_track ? c->track_frame : clock_frames(c->ms, m->sample_rate);
        out->title = c->name ? c->name : strdup("");
        c->name = NULL;
        if (!out->title)
            return media_nomem(err);
        m->chapter_count++;
    }
    return media_sort_chapters(m->chapters, m->chapter_count, err);
}

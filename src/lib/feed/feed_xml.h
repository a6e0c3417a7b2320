/*
 * feed_xml.h - the text of a feed (private to libaloud): XML character
 * data, links and dates, each written the one way a feed reader takes.
 */
#ifndef ALOUD_FEED_XML_H
#define ALOUD_FEED_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/*
 * Writes `s` (NULL writes nothing) as XML character data that is also a
 * valid attribute value: & < > " ' as entities, a byte that starts no valid
 * UTF-8 character as U+FFFD, characters XML 1.0 does not allow (C0
 * controls but tab, LF and CR; U+FFFE, U+FFFF) as U+FFFD, and tab, LF and CR
 * as a space (titles and descriptions are one line).
 */
void feed_put_xml(FILE *f, const char *s);

/*
 * The link to the file `name` in the folder served at `base` (NULL or ""
 * for a link relative to the feed): base, a '/' unless base ends in one,
 * and name with every byte but RFC 3986's unreserved characters
 * percent-encoded. Written into buf (`size` bytes); false when it does not
 * fit.
 */
bool feed_url(const char *base, const char *name, char *buf, size_t size);

/* `t` as an RFC 822 date in UTC ("Sun, 06 Dec 2026 18:44:59 +0000"), with
 * English names whatever the locale, into buf (at least 32 bytes). */
char *feed_rfc822(time_t t, char *buf, size_t size);

/* Writes `ms` milliseconds as seconds with up to three decimals ("12.5",
 * "0", "3.042"), never in the locale's decimal point. */
void feed_put_seconds(FILE *f, unsigned long long ms);

#endif /* ALOUD_FEED_XML_H */

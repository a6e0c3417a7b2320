/* feed_xml.c - XML text, links and dates of a feed (feed_xml.h). */
#include "feed_xml.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"

#define FEED_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

void feed_put_xml(FILE *f, const char *s)
{
    if (!s)
        return;
    for (size_t left = strlen(s); left > 0;) {
        unsigned char c = (unsigned char)*s;
        uint32_t cp = 0;
        size_t len = utf8_next(s, left, &cp);
        if (len == 0) {
            /* A feed that is not UTF-8 is not XML: one bad byte, one U+FFFD. */
            fputs(FEED_REPLACEMENT, f);
            s++;
            left--;
            continue;
        }
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '\t': case '\n': case '\r': fputc(' ', f); break;
        default:
            if (c < 0x20u || cp == 0xFFFEu || cp == 0xFFFFu)
                fputs(FEED_REPLACEMENT, f);
            else
                fwrite(s, 1, len, f);
            break;
        }
        s += len;
        left -= len;
    }
}

/* RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
static bool feed_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
           || c == '.' || c == '_' || c == '~';
}

bool feed_url(const char *base, const char *name, char *buf, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0, blen = base ? strlen(base) : 0;
    if (blen + 2 > size)
        return false;
    if (blen) {
        memcpy(buf, base, blen);
        n = blen;
        if (base[blen - 1] != '/')
            buf[n++] = '/';
    }
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (n + 4 > size)
            return false;
        if (feed_unreserved(*p)) {
            buf[n++] = (char)*p;
        } else {
            buf[n++] = '%';
            buf[n++] = hex[*p >> 4];
            buf[n++] = hex[*p & 15u];
        }
    }
    buf[n] = '\0';
    return true;
}

char *feed_rfc822(time_t t, char *buf, size_t size)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0
        || tm.tm_mon > 11) {
        snprintf(buf, size, "Thu, 01 Jan 1970 00:00:00 +0000");
        return buf;
    }
    snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

void feed_put_seconds(FILE *f, unsigned long long ms)
{
    unsigned long long frac = ms % 1000u;
    fprintf(f, "%llu", ms / 1000u);
    if (frac) {
        char digits[5];
        snprintf(digits, sizeof digits, ".%03llu", frac);
        /* Trailing zeros say nothing: 12.500 is 12.5. */
        for (size_t len = strlen(digits); digits[len - 1] == '0'; len--)
            digits[len - 1] = '\0';
        fputs(digits, f);
    }
}

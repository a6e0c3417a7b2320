/* utf8.c - UTF-8 validation, decoding, encoding and character classes. */
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

size_t utf8_bom_length(const char *data, size_t size)
{
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        return 3;
    return 0;
}

utf16_order utf16_bom(const char *data, size_t size)
{
    if (size < 2)
        return UTF16_NONE;
    if ((unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE)
        return UTF16_LE;
    if ((unsigned char)data[0] == 0xFE && (unsigned char)data[1] == 0xFF)
        return UTF16_BE;
    return UTF16_NONE;
}

/* The 16-bit unit at p in the given byte order. */
static uint32_t utf16_unit(const unsigned char *p, bool le)
{
    return le ? (uint32_t)p[1] << 8 | p[0] : (uint32_t)p[0] << 8 | p[1];
}

aloud_status utf16_to_utf8(const char *data, size_t size, char *out, size_t *out_size,
                           aloud_error *err)
{
    utf16_order order = utf16_bom(data, size);
    const unsigned char *s = (const unsigned char *)data;
    unsigned line = 1, column = 1;
    size_t used = 0;
    bool after_cr = false;

    if (order == UTF16_NONE)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no UTF-16 byte order mark");
    bool le = order == UTF16_LE;
    for (size_t i = 2; i < size;) {
        if (size - i < 2)
            return aloud_error_set(err, ALOUD_ERR_UTF8, line, column,
                                   "invalid UTF-16 (an odd number of bytes: the last one has no "
                                   "pair)");
        uint32_t cp = utf16_unit(s + i, le);
        size_t units = 1;
        if (cp >= 0xD800u && cp <= 0xDBFFu && size - i >= 4) {
            uint32_t low = utf16_unit(s + i + 2, le);
            if (low >= 0xDC00u && low <= 0xDFFFu) {
                cp = 0x10000u + ((cp - 0xD800u) << 10) + (low - 0xDC00u);
                units = 2;
            }
        }
        if (units == 1 && cp >= 0xD800u && cp <= 0xDFFFu)
            return aloud_error_set(err, ALOUD_ERR_UTF8, line, column,
                                   "invalid UTF-16 (unpaired surrogate 0x%04X)", (unsigned)cp);
        used += utf8_encode(cp, out + used);
        i += 2 * units;
        /* Positions as utf8_validate counts them: LF, CRLF and CR end a line. */
        if (cp == '\n' && after_cr) {
            after_cr = false;
        } else if (cp == '\n' || cp == '\r') {
            line++;
            column = 1;
            after_cr = cp == '\r';
        } else {
            column++;
            after_cr = false;
        }
    }
    *out_size = used;
    return ALOUD_OK;
}

static bool utf8_is_continuation(unsigned char byte)
{
    return (byte & 0xC0u) == 0x80u;
}

/* Writes a reason into msg[0..msg_size) when msg is not NULL (utf8_next wants none). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void utf8_reason(char *msg, size_t msg_size, const char *fmt, ...)
{
    va_list ap;

    if (!msg)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, msg_size, fmt, ap);
    va_end(ap);
}

/*
 * The one set of rules for unchecked bytes: checks the sequence at
 * s[0..avail) whose lead byte is s[0]. Returns its length with its code
 * point in *cp, or 0 with a reason in msg (which names the bad bytes) when
 * msg is not NULL.
 */
static size_t utf8_check_sequence(const unsigned char *s, size_t avail, uint32_t *cp, char *msg,
                             size_t msg_size)
{
    unsigned char lead = s[0];
    size_t need;
    uint32_t v;

    if (lead < 0x80u) {
        *cp = lead;
        return 1;
    }
    if (lead < 0xC0u) {
        utf8_reason(msg, msg_size, "unexpected continuation byte 0x%02X", lead);
        return 0;
    }
    if (lead < 0xC2u) {
        utf8_reason(msg, msg_size, "byte 0x%02X starts an overlong encoding", lead);
        return 0;
    }
    if (lead > 0xF4u) {
        utf8_reason(msg, msg_size, "byte 0x%02X never appears in UTF-8", lead);
        return 0;
    }
    need = lead < 0xE0u ? 2 : lead < 0xF0u ? 3 : 4;
    v = lead & (0x7Fu >> need);
    for (size_t i = 1; i < need; i++) {
        if (i >= avail) {
            utf8_reason(msg, msg_size,
                        "byte 0x%02X starts a sequence cut off by the end of the input", lead);
            return 0;
        }
        if (!utf8_is_continuation(s[i])) {
            utf8_reason(msg, msg_size, "byte 0x%02X not followed by a continuation byte", lead);
            return 0;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    /* Only the first continuation byte decides overlong, surrogate and range. */
    if ((lead == 0xE0u && s[1] < 0xA0u) || (lead == 0xF0u && s[1] < 0x90u)) {
        utf8_reason(msg, msg_size, "overlong encoding 0x%02X 0x%02X", lead, s[1]);
        return 0;
    }
    if (v >= 0xD800u && v <= 0xDFFFu) {
        utf8_reason(msg, msg_size, "encoded surrogate U+%04X", (unsigned)v);
        return 0;
    }
    if (v > 0x10FFFFu) {
        utf8_reason(msg, msg_size, "code point U+%X above U+10FFFF", (unsigned)v);
        return 0;
    }
    *cp = v;
    return need;
}

size_t utf8_next(const char *s, size_t avail, uint32_t *cp)
{
    return utf8_check_sequence((const unsigned char *)s, avail, cp, NULL, 0);
}

aloud_status utf8_validate(const char *data, size_t size, aloud_error *err)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t pos = utf8_bom_length(data, size);
    unsigned line = 1;
    unsigned column = 1;
    uint32_t cp;
    char msg[128];

    while (pos < size) {
        size_t len;
        if (s[pos] < 0x80u) {
            /* ASCII fast path; also where line numbers change. */
            if (s[pos] == '\n' || s[pos] == '\r') {
                if (s[pos] == '\r' && pos + 1 < size && s[pos + 1] == '\n')
                    pos++;
                line++;
                column = 1;
            } else {
                column++;
            }
            pos++;
            continue;
        }
        len = utf8_check_sequence(s + pos, size - pos, &cp, msg, sizeof msg);
        if (len == 0)
            return aloud_error_set(err, ALOUD_ERR_UTF8, line, column, "invalid UTF-8 (%s)", msg);
        pos += len;
        column++;
    }
    return ALOUD_OK;
}

size_t utf8_decode(const char *s, size_t avail, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80u || avail < 2) {
        *cp = u[0];
        return 1;
    }
    if (u[0] < 0xE0u) {
        *cp = ((uint32_t)(u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
        return 2;
    }
    if (u[0] < 0xF0u || avail < 4) {
        if (avail < 3) {
            *cp = u[0];
            return 1;
        }
        *cp = ((uint32_t)(u[0] & 0x0Fu) << 12) | ((uint32_t)(u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
        return 3;
    }
    *cp = ((uint32_t)(u[0] & 0x07u) << 18) | ((uint32_t)(u[1] & 0x3Fu) << 12) |
          ((uint32_t)(u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
    return 4;
}

uint32_t utf8_at(const char *s, size_t size, size_t pos, size_t *len)
{
    uint32_t cp;
    size_t n = utf8_decode(s + pos, size - pos, &cp);

    if (len)
        *len = n;
    return cp;
}

size_t utf8_start_before(const char *s, size_t pos)
{
    do
        pos--;
    while (pos > 0 && utf8_is_continuation((unsigned char)s[pos]));
    return pos;
}

uint32_t utf8_before(const char *s, size_t pos, size_t *start)
{
    size_t q = utf8_start_before(s, pos);
    uint32_t cp;

    utf8_decode(s + q, pos - q, &cp);
    if (start)
        *start = q;
    return cp;
}

bool utf8_is_valid_string(const char *s)
{
    return !s || utf8_validate(s, strlen(s), NULL) == ALOUD_OK;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80u) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800u) {
        out[0] = (char)(0xC0u | (cp >> 6));
        out[1] = (char)(0x80u | (cp & 0x3Fu));
        return 2;
    }
    if (cp < 0x10000u) {
        out[0] = (char)(0xE0u | (cp >> 12));
        out[1] = (char)(0x80u | ((cp >> 6) & 0x3Fu));
        out[2] = (char)(0x80u | (cp & 0x3Fu));
        return 3;
    }
    out[0] = (char)(0xF0u | (cp >> 18));
    out[1] = (char)(0x80u | ((cp >> 12) & 0x3Fu));
    out[2] = (char)(0x80u | ((cp >> 6) & 0x3Fu));
    out[3] = (char)(0x80u | (cp & 0x3Fu));
    return 4;
}

/* Punctuation inside the letter blocks below U+2000 (Greek, Armenian, Hebrew,
 * Arabic, Devanagari, Ethiopic): ranges of code points that are not word
 * characters. Sorted. */
static const uint32_t non_word_low[][2] = {
    {0xD7, 0xD7}, {0xF7, 0xF7}, {0x37E, 0x37E}, {0x387, 0x387}, {0x55A, 0x55F},
    {0x589, 0x58A}, {0x5BE, 0x5BE}, {0x5C0, 0x5C0}, {0x5C3, 0x5C3}, {0x5C6, 0x5C6},
    {0x5F3, 0x60F}, {0x61B, 0x61F}, {0x66A, 0x66D}, {0x6D4, 0x6D4}, {0x964, 0x965},
    {0x970, 0x970}, {0x1360, 0x1368},
};

/* Letters and digits among the symbols of U+2000-U+2BFF. */
static const uint32_t word_symbols[][2] = {
    {0x2070, 0x2079}, {0x207F, 0x2089}, {0x2090, 0x209C}, {0x2102, 0x2102},
    {0x2107, 0x2107}, {0x210A, 0x2113}, {0x2115, 0x2115}, {0x2119, 0x211D},
    {0x2124, 0x2124}, {0x2126, 0x2126}, {0x2128, 0x2128}, {0x212A, 0x212D},
    {0x212F, 0x2139}, {0x2160, 0x2188}, {0x2460, 0x249B},
};

static bool utf8_in_ranges(uint32_t cp, const uint32_t (*ranges)[2], size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (cp >= ranges[i][0] && cp <= ranges[i][1])
            return true;
    return false;
}

bool utf8_is_word_char(uint32_t cp)
{
    if (cp < 0x80u)
        return (cp >= '0' && cp <= '9') || ((cp | 0x20u) >= 'a' && (cp | 0x20u) <= 'z');
    if (cp < 0xC0u)
        return cp == 0xAAu || cp == 0xB2u || cp == 0xB3u || cp == 0xB5u || cp == 0xB9u ||
               cp == 0xBAu || (cp >= 0xBCu && cp <= 0xBEu);
    if (cp < 0x2000u)
        return !utf8_in_ranges(cp, non_word_low, sizeof non_word_low / sizeof non_word_low[0]);
    if (cp < 0x2C00u)
        return utf8_in_ranges(cp, word_symbols, sizeof word_symbols / sizeof word_symbols[0]);
    if (cp < 0x2E00u)
        return true; /* Glagolitic, Coptic, Georgian supplement, Tifinagh, Ethiopic ext. */
    if (cp < 0x3040u)
        /* Supplemental punctuation; CJK radicals; CJK symbols and punctuation
         * but for the iteration marks and Hangzhou numerals. */
        return (cp >= 0x2E80u && cp <= 0x2FDFu) || (cp >= 0x3005u && cp <= 0x3007u) ||
               (cp >= 0x3021u && cp <= 0x3029u) || (cp >= 0x3031u && cp <= 0x3035u);
    if (cp < 0xD800u)
        return cp != 0x30A0u && cp != 0x30FBu; /* kana, CJK, Yi, Hangul, ... */
    if (cp < 0xF900u)
        return false; /* surrogates and private use */
    if (cp < 0xFE00u)
        return cp != 0xFD3Eu && cp != 0xFD3Fu;
    if (cp < 0xFF00u)
        return cp >= 0xFE70u; /* Arabic presentation forms B; the rest is punctuation */
    if (cp < 0xFFF0u)
        /* Fullwidth digits and letters, halfwidth kana and Hangul. */
        return (cp >= 0xFF10u && cp <= 0xFF19u) || (cp >= 0xFF21u && cp <= 0xFF3Au) ||
               (cp >= 0xFF41u && cp <= 0xFF5Au) || (cp >= 0xFF66u && cp <= 0xFFDCu);
    if (cp < 0x10000u)
        return false;
    if (cp >= 0x1F000u && cp <= 0x1FBFFu)
        return cp >= 0x1FBF0u; /* emoji and symbols, but for the segmented digits */
    return cp < 0xE0000u;      /* scripts and CJK; tags and private use are not */
}

utf8_case utf8_case_of(uint32_t cp)
{
    if (cp < 0x80u) {
        if (cp >= 'A' && cp <= 'Z')
            return UTF8_CASE_UPPER;
        return cp >= 'a' && cp <= 'z' ? UTF8_CASE_LOWER : UTF8_CASE_NONE;
    }
    if (cp >= 0xC0u && cp <= 0xDEu && cp != 0xD7u)
        return UTF8_CASE_UPPER;
    if (cp >= 0xDFu && cp <= 0xFFu && cp != 0xF7u)
        return UTF8_CASE_LOWER;
    if (cp >= 0x100u && cp <= 0x17Fu) {
        /* Latin Extended-A pairs upper/lower on even/odd code points, but for
         * the stretches where the pairs start on an odd one. */
        bool odd_upper = (cp >= 0x139u && cp <= 0x148u) || (cp >= 0x179u && cp <= 0x17Eu);
        if (cp == 0x138u || cp == 0x149u || cp == 0x17Fu)
            return UTF8_CASE_LOWER;
        if (cp == 0x178u)
            return UTF8_CASE_UPPER;
        return ((cp & 1u) != 0) == odd_upper ? UTF8_CASE_UPPER : UTF8_CASE_LOWER;
    }
    if ((cp >= 0x391u && cp <= 0x3ABu) || (cp >= 0x400u && cp <= 0x42Fu))
        return cp == 0x3A2u ? UTF8_CASE_NONE : UTF8_CASE_UPPER;
    if ((cp >= 0x3ACu && cp <= 0x3CEu) || (cp >= 0x430u && cp <= 0x45Fu))
        return UTF8_CASE_LOWER;
    return UTF8_CASE_NONE;
}

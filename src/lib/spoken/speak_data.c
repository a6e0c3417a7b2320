/*
 * speak_data.c - looking words up in the spoken room's compiled-in data
 * (speak_data.h). The files are small (tens of lines); a lookup reads the
 * text line by line, so nothing is parsed or allocated up front.
 */
#include "speak_data.h"

#include <string.h>

const char *speak_acronym_find(const char *w, size_t n, size_t *reading_len)
{
    for (size_t f = 0; f < speak_acronym_table_count; f++) {
        const char *p = speak_acronym_table[f].text;
        const char *end = p + speak_acronym_table[f].size;
        if (strcmp(speak_acronym_table[f].name, "en") != 0)
            continue;
        while (p < end) {
            const char *eol = memchr(p, '\n', (size_t)(end - p));
            const char *line_end = eol ? eol : end;
            const char *q = p;
            const char *r;
            const char *re;
            while (q < line_end && q[0] != ' ' && q[0] != '\t')
                q++;
            if (p < line_end && p[0] != '#' && (size_t)(q - p) == n && memcmp(p, w, n) == 0) {
                r = q;
                while (r < line_end && (*r == ' ' || *r == '\t'))
                    r++;
                re = r;
                while (re < line_end && *re != '#')
                    re++;
                while (re > r && (re[-1] == ' ' || re[-1] == '\t'))
                    re--;
                if (re > r) {
                    *reading_len = (size_t)(re - r);
                    return r;
                }
            }
            p = eol ? eol + 1 : end;
        }
    }
    return NULL;
}

/* speak_buf.c - the growable string the spoken-text rules and the lexicon write into. */
#include "speak_buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool speak_buf_append(speak_buf *b, const char *s, size_t n)
{
    if (n > SIZE_MAX - b->length - 1)
        return false;
    if (b->length + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *p;
        while (cap < b->length + n + 1) {
            if (cap > SIZE_MAX / 2)
                return false;
            cap *= 2;
        }
        p = realloc(b->data, cap);
        if (!p)
            return false;
        b->data = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->length, s, n);
    b->length += n;
    b->data[b->length] = '\0';
    return true;
}

bool speak_buf_keep(speak_buf *b, size_t start, size_t end)
{
    if (b->kept_count == b->kept_cap) {
        size_t cap = b->kept_cap ? b->kept_cap * 2 : 8;
        speak_span *p;
        if (cap > SIZE_MAX / sizeof *p)
            return false;
        p = realloc(b->kept, cap * sizeof *p);
        if (!p)
            return false;
        b->kept = p;
        b->kept_cap = cap;
    }
    b->kept[b->kept_count].start = start;
    b->kept[b->kept_count].end = end;
    b->kept_count++;
    return true;
}

void speak_buf_free(speak_buf *b)
{
    free(b->data);
    free(b->kept);
    memset(b, 0, sizeof *b);
}

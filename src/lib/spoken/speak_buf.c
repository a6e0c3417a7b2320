/* speak_buf.c - the growable string the spoken-text rules and the lexicon write into. */
#include "speak_buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

bool speak_buf_append(speak_buf *b, const char *s, size_t n)
{
    if (n > SIZE_MAX - b->length - 1 || !vec_reserve(&b->data, &b->cap, b->length + n + 1, 1, 64))
        return false;
    if (n)
        memcpy(b->data + b->length, s, n);
    b->length += n;
    b->data[b->length] = '\0';
    return true;
}

bool speak_buf_keep(speak_buf *b, size_t start, size_t end)
{
    if (!vec_reserve(&b->kept, &b->kept_cap, b->kept_count + 1, sizeof *b->kept, 8))
        return false;
    b->kept[b->kept_count].start = start;
    b->kept[b->kept_count].end = end;
    b->kept_count++;
    return true;
}

bool speak_buf_append_kept(speak_buf *b, const char *s, size_t n)
{
    size_t start = b->length;
    return speak_buf_append(b, s, n) && speak_buf_keep(b, start, b->length);
}

void speak_buf_free(speak_buf *b)
{
    free(b->data);
    free(b->kept);
    memset(b, 0, sizeof *b);
}

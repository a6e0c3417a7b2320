/* vec.c - growing arrays. */
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool vec_reserve(void *items_at, size_t *cap, size_t need, size_t item_size, size_t first)
{
    size_t n;
    void *items;
    void *p;
    if (need <= *cap)
        return true;
    n = *cap ? *cap : first;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return false;
        n *= 2;
    }
    if (n > SIZE_MAX / item_size)
        return false;
    /* items_at holds a T *; memcpy moves it without breaking aliasing rules. */
    memcpy(&items, items_at, sizeof items);
    p = realloc(items, n * item_size);
    if (!p)
        return false;
    memcpy(items_at, &p, sizeof p);
    *cap = n;
    return true;
}

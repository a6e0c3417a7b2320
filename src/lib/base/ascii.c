/* ascii.c - ASCII comparisons that are not worth inlining. */
#include "ascii.h"

bool ascii_eq_nocase(const char *a, size_t n, const char *b)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] == '\0' || ascii_to_upper(a[i]) != ascii_to_upper(b[i]))
            return false;
    return b[n] == '\0';
}

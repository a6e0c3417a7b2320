/*
 * vec.h - growing arrays (private to libaloud).
 */
#ifndef ALOUD_VEC_H
#define ALOUD_VEC_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Grows the array whose pointer (a T *) is at items_at to hold `need` items
 * of item_size bytes, doubling from `first`; *cap counts items. False when
 * out of memory or on overflow, with the array untouched.
 */
bool vec_reserve(void *items_at, size_t *cap, size_t need, size_t item_size, size_t first);

#endif /* ALOUD_VEC_H */

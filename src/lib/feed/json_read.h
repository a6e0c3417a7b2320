/*
 * json_read.h - a small JSON reader (private to libaloud): enough to read
 * back the manifests aloud writes (aloud_sidecar_write "json"), and strict
 * enough that any file it accepts is JSON text (RFC 8259).
 *
 * The whole text becomes a tree of values that the caller walks with the
 * accessors below. Strings are decoded (escapes, surrogate pairs) to
 * NUL-terminated UTF-8; a "\u0000" in a string is refused, as is invalid
 * UTF-8, a lone surrogate, nesting deeper than JSONR_MAX_DEPTH, and
 * anything after the value but white space. Numbers keep their value as a
 * double. Duplicate keys are kept; jsonr_get() finds the first.
 */
#ifndef ALOUD_JSON_READ_H
#define ALOUD_JSON_READ_H

#include <stddef.h>

#include "aloud.h"

typedef enum jsonr_type {
    JSONR_NULL = 0,
    JSONR_FALSE,
    JSONR_TRUE,
    JSONR_NUMBER,
    JSONR_STRING,
    JSONR_ARRAY,
    JSONR_OBJECT
} jsonr_type;

/* Nesting deeper than this is refused: a manifest is four levels deep. */
#define JSONR_MAX_DEPTH 64

typedef struct jsonr_value jsonr_value;

/*
 * Parses data[0..size) (borrowed). On success *out (the caller's, to free
 * with jsonr_free()) is the top value. On failure *out is NULL and `err`
 * (may be NULL) holds ALOUD_ERR_MEDIA with the line and column (1-based,
 * columns in characters) of the fault and a static reason such as
 * "expected ',' or '}'"; ALOUD_ERR_NOMEM when out of memory.
 */
aloud_status jsonr_parse(const char *data, size_t size, jsonr_value **out, aloud_error *err);

/* Frees a tree from jsonr_parse(); NULL does nothing. */
void jsonr_free(jsonr_value *v);

/* The type of `v`; JSONR_NULL for a NULL v. */
jsonr_type jsonr_type_of(const jsonr_value *v);

/* The member `key` of an object (the first when repeated); NULL when `v`
 * is no object or has no such member. */
const jsonr_value *jsonr_get(const jsonr_value *v, const char *key);

/* Items of an array (members of an object, in order): how many, and the
 * i-th (NULL past the end or for a value that has none). */
size_t jsonr_count(const jsonr_value *v);
const jsonr_value *jsonr_at(const jsonr_value *v, size_t index);

/* A string's text (owned by the tree), or NULL when `v` is no string. */
const char *jsonr_string(const jsonr_value *v);

/* A number's value; `fallback` when `v` is no number. */
double jsonr_number(const jsonr_value *v, double fallback);

#endif /* ALOUD_JSON_READ_H */

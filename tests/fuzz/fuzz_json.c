/*
 * fuzz_json.c - libFuzzer target for the feed's JSON reader and XML text:
 * jsonr_parse() over the input bytes, then feed_put_xml() over the input
 * and over every string the reader decoded.
 *
 * The reader's promises: a text it accepts is UTF-8 as a whole (JSON text
 * is, and every byte outside strings is ASCII), every string it hands out
 * is valid UTF-8 without a NUL inside, no array or object holds more items
 * than the input has bytes, no number is NaN; a text it refuses gives
 * ALOUD_ERR_MEDIA with a position and a reason (or ALOUD_ERR_NOMEM). The
 * XML writer's: whatever it is given, what it writes is valid UTF-8 with
 * no character XML 1.0 refuses and no markup character unescaped.
 */
#include <stdint.h>
#include <stdio.h>

#include "feed_xml.h"
#include "fuzz_util.h"
#include "json_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* feed_put_xml(s) is UTF-8 without controls, '<', '>', '"' or '\''. */
static void check_xml(const char *s)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return;
    feed_put_xml(f, s);
    if (fclose(f) != 0) {
        free(out);
        return;
    }
    fuzz_check(utf8_validate(out, len, NULL) == ALOUD_OK);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)out[i];
        fuzz_check(c >= 0x20u && c != '<' && c != '>' && c != '"' && c != '\'');
        if (c == '&')
            fuzz_check(strncmp(out + i, "&amp;", 5) == 0 || strncmp(out + i, "&lt;", 4) == 0
                       || strncmp(out + i, "&gt;", 4) == 0 || strncmp(out + i, "&quot;", 6) == 0
                       || strncmp(out + i, "&apos;", 6) == 0);
        /* U+FFFE and U+FFFF are no XML characters. */
        fuzz_check(!(c == 0xEFu && i + 2 < len && (unsigned char)out[i + 1] == 0xBFu
                     && ((unsigned char)out[i + 2] == 0xBEu || (unsigned char)out[i + 2] == 0xBFu)));
    }
    free(out);
}

static void check_value(const jsonr_value *v, size_t size, unsigned depth)
{
    fuzz_check(depth <= JSONR_MAX_DEPTH);
    switch (jsonr_type_of(v)) {
    case JSONR_STRING: {
        const char *s = jsonr_string(v);
        fuzz_check_text(s);
        fuzz_check(strlen(s) <= size);
        check_xml(s);
        break;
    }
    case JSONR_NUMBER: {
        double n = jsonr_number(v, 0.0);
        fuzz_check(n == n);
        break;
    }
    case JSONR_ARRAY:
    case JSONR_OBJECT:
        fuzz_check(jsonr_count(v) <= size);
        for (size_t i = 0; i < jsonr_count(v); i++)
            check_value(jsonr_at(v, i), size, depth + 1);
        fuzz_check(jsonr_at(v, jsonr_count(v)) == NULL);
        break;
    case JSONR_NULL:
    case JSONR_TRUE:
    case JSONR_FALSE:
        fuzz_check(jsonr_count(v) == 0 && jsonr_string(v) == NULL);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jsonr_value *v = NULL;
    aloud_error err = {0};
    aloud_status st = jsonr_parse((const char *)data, size, &v, &err);
    if (st == ALOUD_OK) {
        fuzz_check(v != NULL);
        fuzz_check(utf8_validate((const char *)data, size, NULL) == ALOUD_OK);
        check_value(v, size, 0);
        jsonr_free(v);
    } else {
        fuzz_check(v == NULL);
        fuzz_check(st == ALOUD_ERR_MEDIA || st == ALOUD_ERR_NOMEM);
        fuzz_check(err.status == st && err.message[0] != '\0');
        fuzz_check(st == ALOUD_ERR_NOMEM || (err.line >= 1 && err.column >= 1));
    }
    char *text = malloc(size + 1);
    if (text) {
        memcpy(text, data, size);
        text[size] = '\0';
        check_xml(text);
        free(text);
    }
    return 0;
}

/*
 * test_feed.c - the feed's parts: the JSON reader (what it takes, what it
 * refuses and where), the XML text, links and dates, and the settings file
 * read back by aloud_feed_update() (a bad line named by line and column,
 * settings kept across updates, a manifest that cannot be read listed as
 * a file without one).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aloud.h"
#include "feed_uuid.h"
#include "feed_xml.h"
#include "json_read.h"
#include "testutil.h"

static int setup(void **state)
{
    return tu_fixture_setup(state, "feed");
}

/* Parses `text`, which must be good JSON. */
static jsonr_value *parse_ok(const char *text)
{
    jsonr_value *v = NULL;
    aloud_error err = {0};
    aloud_status st = jsonr_parse(text, strlen(text), &v, &err);
    if (st != ALOUD_OK)
        fail_msg("'%s' refused at %u:%u: %s", text, err.line, err.column, err.message);
    tu_require(v);
    return v;
}

/* `text` is refused at line:column with a message that holds `why`. */
static void parse_bad(const char *text, size_t size, unsigned line, unsigned column,
                      const char *why)
{
    jsonr_value *v = (jsonr_value *)1;
    aloud_error err = {0};
    assert_int_equal(jsonr_parse(text, size, &v, &err), ALOUD_ERR_MEDIA);
    assert_null(v);
    if (err.line != line || err.column != column || !strstr(err.message, why))
        fail_msg("'%.*s': got %u:%u %s, want %u:%u %s", (int)size, text, err.line, err.column,
                 err.message, line, column, why);
}

static void test_json_values(void **state)
{
    (void)state;
    jsonr_value *v = parse_ok(" {\"a\": [1, -2.5, 3e2, 0.125E-1, true, false, null],"
                              " \"s\": \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\","
                              " \"a\": \"second\", \"o\": {}, \"e\": []}\r\n");
    const jsonr_value *a = jsonr_get(v, "a");
    assert_int_equal(jsonr_type_of(v), JSONR_OBJECT);
    assert_int_equal(jsonr_count(v), 5);
    assert_int_equal(jsonr_type_of(a), JSONR_ARRAY);
    assert_int_equal(jsonr_count(a), 7);
    assert_true(jsonr_number(jsonr_at(a, 0), 0) == 1.0);
    assert_true(jsonr_number(jsonr_at(a, 1), 0) == -2.5);
    assert_true(jsonr_number(jsonr_at(a, 2), 0) == 300.0);
    assert_true(jsonr_number(jsonr_at(a, 3), 0) > 0.0124999 &&
                jsonr_number(jsonr_at(a, 3), 0) < 0.0125001);
    assert_int_equal(jsonr_type_of(jsonr_at(a, 4)), JSONR_TRUE);
    assert_int_equal(jsonr_type_of(jsonr_at(a, 5)), JSONR_FALSE);
    assert_int_equal(jsonr_type_of(jsonr_at(a, 6)), JSONR_NULL);
    assert_null(jsonr_at(a, 7));
    assert_string_equal(jsonr_string(jsonr_get(v, "s")),
                        "x\"\\/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80");
    assert_int_equal(jsonr_count(jsonr_get(v, "o")), 0);
    assert_int_equal(jsonr_count(jsonr_get(v, "e")), 0);
    assert_null(jsonr_get(v, "missing"));
    assert_null(jsonr_get(a, "a"));
    assert_null(jsonr_string(a));
    assert_true(jsonr_number(jsonr_get(v, "s"), -7.0) == -7.0);
    jsonr_free(v);
    jsonr_free(NULL);
    assert_int_equal(jsonr_type_of(NULL), JSONR_NULL);

    /* Exact milliseconds, as the manifest writes them. */
    v = parse_ok("[4561.968, 0.001, 12.500]");
    assert_true(jsonr_number(jsonr_at(v, 0), 0) * 1000.0 > 4561967.99 &&
                jsonr_number(jsonr_at(v, 0), 0) * 1000.0 < 4561968.01);
    assert_true(jsonr_number(jsonr_at(v, 1), 0) == 0.001);
    assert_true(jsonr_number(jsonr_at(v, 2), 0) == 12.5);
    jsonr_free(v);
}

static void test_json_refusals(void **state)
{
    (void)state;
    parse_bad("", 0, 1, 1, "found the end");
    parse_bad("{\"a\": 1,}", 9, 1, 9, "member name");
    parse_bad("[1 2]", 5, 1, 4, "expected ',' or ']'");
    parse_bad("{\"a\" 1}", 7, 1, 6, "':'");
    parse_bad("\n  [01]", 7, 2, 4, "0 followed by digits");
    parse_bad("[1.]", 4, 1, 4, "after its '.'");
    parse_bad("[1e]", 4, 1, 4, "exponent");
    parse_bad("[-]", 3, 1, 3, "needs a digit");
    parse_bad("[tru]", 5, 1, 2, "expected a value");
    parse_bad("\"abc", 4, 1, 5, "closing quote");
    parse_bad("\"a\tb\"", 5, 1, 3, "control character");
    parse_bad("\"\\x\"", 4, 1, 2, "unknown escape");
    parse_bad("\"\\u12\"", 6, 1, 4, "four hex digits");
    parse_bad("\"\\ud800\"", 8, 1, 8, "high surrogate");
    parse_bad("\"\\udc00\"", 8, 1, 8, "lone low surrogate");
    parse_bad("\"\\u0000\"", 8, 1, 8, "NUL");
    parse_bad("\"\xC3\x28\"", 4, 1, 2, "invalid UTF-8");
    parse_bad("\"\xC3\xA9\xff\"", 5, 1, 3, "invalid UTF-8");
    parse_bad("{} {}", 5, 1, 4, "more after the value");
    parse_bad("[1]\0", 4, 1, 4, "more after the value");
    char deep[JSONR_MAX_DEPTH + 2];
    memset(deep, '[', sizeof deep);
    parse_bad(deep, sizeof deep, 1, JSONR_MAX_DEPTH + 1, "nested too deep");
    jsonr_value *v = NULL;
    assert_int_equal(jsonr_parse(NULL, 1, &v, NULL), ALOUD_ERR_ARG);
    assert_int_equal(jsonr_parse("1", 1, NULL, NULL), ALOUD_ERR_ARG);
}

/* What feed_put_xml writes for `s`. */
static char *xml_of(const char *s)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    tu_require(f);
    feed_put_xml(f, s);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void test_xml_text(void **state)
{
    (void)state;
    char *x = xml_of("a & b <c> \"d\" 'e'");
    assert_string_equal(x, "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;");
    free(x);
    /* Line breaks are spaces; controls, noncharacters and bad bytes U+FFFD. */
    x = xml_of("one\ntwo\x01three\xEF\xBF\xBE\xff\xC3\xA9");
    assert_string_equal(x, "one two\xEF\xBF\xBDthree\xEF\xBF\xBD\xEF\xBF\xBD\xC3\xA9");
    free(x);
    x = xml_of(NULL);
    assert_true(x == NULL || *x == '\0');
    free(x);
}

static void test_links_and_dates(void **state)
{
    (void)state;
    char url[128], date[40];
    assert_true(feed_url("http://h:8000/pod", "a b&c\xC3\xA9.flac", url, sizeof url));
    assert_string_equal(url, "http://h:8000/pod/a%20b%26c%C3%A9.flac");
    assert_true(feed_url("https://h/pod/", "x.json", url, sizeof url));
    assert_string_equal(url, "https://h/pod/x.json");
    assert_true(feed_url(NULL, "a~b_c-d.e", url, sizeof url));
    assert_string_equal(url, "a~b_c-d.e");
    assert_true(feed_url("", "?#", url, sizeof url));
    assert_string_equal(url, "%3F%23");
    assert_false(feed_url("http://h/", "long name", url, 12));

    assert_string_equal(feed_rfc822(0, date, sizeof date), "Thu, 01 Jan 1970 00:00:00 +0000");
    assert_string_equal(feed_rfc822(1796582699, date, sizeof date),
                        "Sun, 06 Dec 2026 18:44:59 +0000");
    assert_string_equal(feed_rfc822(951782400, date, sizeof date),
                        "Tue, 29 Feb 2000 00:00:00 +0000");

    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    tu_require(f);
    feed_put_seconds(f, 0);
    fputc(' ', f);
    feed_put_seconds(f, 12500);
    fputc(' ', f);
    feed_put_seconds(f, 3042);
    fputc(' ', f);
    feed_put_seconds(f, 4561968);
    fputc(' ', f);
    feed_put_seconds(f, 7000);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(buf, "0 12.5 3.042 4561.968 7");
    free(buf);
}

static void test_uuid(void **state)
{
    (void)state;
    unsigned char d[20];
    char hex[41], uuid[37];
    /* FIPS 180 examples: one block, two blocks, a million a's (many). */
    static const struct {
        const char *text;
        size_t repeat;
        const char *sha1;
    } cases[] = {
        {"abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {"", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
        {"a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t len = strlen(cases[c].text) * cases[c].repeat;
        char *buf = malloc(len + 1);
        tu_require(buf);
        for (size_t i = 0; i < cases[c].repeat; i++)
            memcpy(buf + i * strlen(cases[c].text), cases[c].text, strlen(cases[c].text));
        feed_sha1(buf, len, d);
        free(buf);
        for (int i = 0; i < 20; i++)
            sprintf(hex + 2 * i, "%02x", d[i]);
        assert_string_equal(hex, cases[c].sha1);
    }
    /* The examples of the podcast namespace's guid.md. */
    feed_podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml", uuid);
    assert_string_equal(uuid, "917393e3-1b1e-5cef-ace4-edaa54e1f810");
    feed_podcast_guid("podnews.net/rss//", uuid);
    assert_string_equal(uuid, "9b024349-ccf0-5f69-a609-6b82873eab3c");
    feed_uuid5(feed_uuid_podcast_ns, "podnews.net/rss", uuid);
    assert_string_equal(uuid, "9b024349-ccf0-5f69-a609-6b82873eab3c");
}

static void warn_count(void *ctx, const char *message)
{
    (void)message;
    (*(int *)ctx)++;
}

static void test_settings_file(void **state)
{
    tu_fixture *fx = *state;
    char conf[PATH_MAX], feed[PATH_MAX];
    aloud_error err = {0};
    int warnings = 0;
    tu_path(fx, "feed.conf", conf, sizeof conf);
    tu_path(fx, "feed.xml", feed, sizeof feed);

    tu_write_bytes(conf, "# a comment\n\ntitle = My Feed\n  base_url=http://h/\nbad line\n", 57);
    assert_int_equal(aloud_feed_update(fx->dir, NULL, NULL, &err), ALOUD_ERR_MEDIA);
    assert_int_equal(err.line, 5);
    assert_int_equal(err.column, 1);
    assert_non_null(strstr(err.message, "key = value"));

    const char good[] = "title = My Feed\r\n  base_url=http://h/\n";
    tu_write_bytes(conf, good, sizeof good - 1);
    aloud_feed_opts opts = {NULL, "Ann", NULL, NULL, NULL, NULL, warn_count, &warnings};
    assert_int_equal(aloud_feed_update(fx->dir, &opts, NULL, &err), ALOUD_OK);
    char *text = tu_read_text(conf);
    assert_non_null(strstr(text, "title = My Feed\n"));
    assert_non_null(strstr(text, "author = Ann\n"));
    assert_non_null(strstr(text, "base_url = http://h/\n"));
    /* podcast:guid from the first address, then kept when the address changes. */
    assert_non_null(strstr(text, "guid = "));
    char guid[64];
    feed_podcast_guid("http://h/feed.xml", guid);
    assert_non_null(strstr(text, guid));
    free(text);
    /* Kept when not given again; an empty string clears one. */
    aloud_feed_opts clear = {NULL, "", NULL, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(aloud_feed_update(fx->dir, &clear, NULL, &err), ALOUD_OK);
    text = tu_read_text(conf);
    assert_non_null(strstr(text, "title = My Feed\n"));
    assert_null(strstr(text, "author"));
    free(text);
    aloud_feed_opts moved = {NULL, NULL, NULL, NULL, "https://elsewhere.example/", NULL, NULL,
                             NULL};
    assert_int_equal(aloud_feed_update(fx->dir, &moved, NULL, &err), ALOUD_OK);
    text = tu_read_text(conf);
    assert_non_null(strstr(text, guid));
    assert_non_null(strstr(text, "base_url = https://elsewhere.example/\n"));
    free(text);
    assert_int_equal(aloud_feed_update(fx->dir, &opts, NULL, &err), ALOUD_OK);
    text = tu_read_text(feed);
    assert_non_null(strstr(text, "<title>My Feed</title>"));
    assert_non_null(strstr(text, "<atom:link href=\"https://elsewhere.example/feed.xml\""));
    assert_non_null(strstr(text, "<podcast:guid>"));
    free(text);

    /* A manifest that is no JSON: its audio is listed by name, with a warning. */
    char path[PATH_MAX];
    tu_path(fx, "a.mp3", path, sizeof path);
    tu_write_bytes(path, "not audio", 9);
    tu_path(fx, "a.json", path, sizeof path);
    tu_write_bytes(path, "{\"output\": ", 11);
    aloud_feed_result res;
    warnings = 0;
    assert_int_equal(aloud_feed_update(fx->dir, &opts, &res, &err), ALOUD_OK);
    assert_int_equal(res.items, 1);
    assert_int_equal(res.without_manifest, 1);
    assert_int_equal(warnings, 2); /* the manifest, the unreadable file */
    text = tu_read_text(feed);
    assert_non_null(strstr(text, "<title>a</title>"));
    assert_non_null(strstr(text, "url=\"https://elsewhere.example/a.mp3\" length=\"9\" type=\"audio/mpeg\""));
    assert_null(strstr(text, "podcast:chapters"));
    free(text);
}

/* A manifest written by hand: a long body paragraph becomes a description
 * cut to 4000 bytes on a character boundary; the chapters file follows the
 * paragraphs, each ending where the next starts. */
static void test_manifest_read_back(void **state)
{
    tu_fixture *fx = *state;
    char path[PATH_MAX];
    tu_path(fx, "b.mp3", path, sizeof path);
    tu_write_bytes(path, "0123456789", 10);
    size_t long_len = 3000;
    char *body = malloc(long_len * 2 + 1);
    tu_require(body);
    for (size_t i = 0; i < long_len; i++)
        memcpy(body + 2 * i, "\xC3\xA9", 2);
    body[long_len * 2] = '\0';
    char *json = malloc(long_len * 2 + 1024);
    tu_require(json);
    int n = sprintf(json, "{\"input\": \"texts/b.txt\", \"output\": \"elsewhere/b.mp3\", "
                          "\"duration\": 9.5, \"title\": \"Bee\", \"author\": null, "
                          "\"paragraphs\": [{\"kind\": \"title\", \"title\": \"Bee\", "
                          "\"start\": 0.000, \"end\": 1.000, \"sentences\": [{\"text\": \"Bee\"}]},"
                          " {\"kind\": \"body\", \"title\": \"T\\u00e9 <2>\", \"start\": 1.5, "
                          "\"end\": 9.0, \"sentences\": [{\"text\": \"%s\"}]}]}",
                    body);
    tu_path(fx, "b.json", path, sizeof path);
    tu_write_bytes(path, json, (size_t)n);
    aloud_feed_result res;
    assert_int_equal(aloud_feed_update(fx->dir, NULL, &res, NULL), ALOUD_OK);
    assert_int_equal(res.items, 1);
    assert_int_equal(res.without_manifest, 0);
    tu_path(fx, "b.chapters.json", path, sizeof path);
    char *chapters = tu_read_text(path);
    assert_string_equal(chapters, "{\n  \"version\": \"1.2.0\",\n  \"chapters\": [\n"
                                  "    {\"startTime\": 0, \"endTime\": 1.5, \"title\": \"Bee\"},\n"
                                  "    {\"startTime\": 1.5, \"endTime\": 9.5, \"title\": \"T\xC3\xA9 <2>\"}\n"
                                  "  ]\n}\n");
    free(chapters);
    tu_path(fx, "feed.xml", path, sizeof path);
    char *xml = tu_read_text(path);
    char *d = strstr(xml, "<description>\xC3\xA9");
    tu_require(d);
    char *end = strstr(d, "</description>");
    tu_require(end);
    d += strlen("<description>");
    assert_true((size_t)(end - d) <= 4000);
    assert_true((size_t)(end - d) >= 3990);
    assert_memory_equal(end - 3, "\xE2\x80\xA6", 3);
    assert_memory_equal(end - 5, "\xC3\xA9", 2);
    assert_non_null(strstr(xml, "<itunes:duration>10</itunes:duration>"));
    assert_non_null(strstr(xml, "<podcast:chapters url=\"b.chapters.json\""));
    assert_null(strstr(xml, "podcast:transcript"));
    assert_null(strstr(xml, "itunes:author"));
    free(xml);
    free(json);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_values),
        cmocka_unit_test(test_json_refusals),
        cmocka_unit_test(test_xml_text),
        cmocka_unit_test(test_links_and_dates),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test_setup_teardown(test_settings_file, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_manifest_read_back, setup, tu_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

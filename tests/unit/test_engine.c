/*
 * test_engine.c - renders that share an engine (aloud_engine, one helper
 * per voice, units of the next document started early) make the same bytes
 * as renders each with an engine of its own: for mixed voices, for any
 * number of workers, when the hint about the next document is right and
 * when it is wrong.
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
#include "testutil.h"

/* Three texts, each cut into several units (pool.c cuts towards the end). */
static const char *const texts[] = {
    "A First Title\n\nThe morning was grey and the harbour was quiet. Boats waited at the pier "
    "while the gulls circled over the water. Nobody on the quay said much.\n\nBy noon the "
    "wind had turned, and the first ferry left for the islands with forty passengers and a "
    "van of bread. The captain counted them twice.\n\nIn the evening the lights came on one by "
    "one along the front, and the cafes filled with people who had waited all day for the "
    "weather to change. It did not, but nobody minded.\n",
    "Second Text\n\nNumbers are read as words: 1,250 tickets were sold on 3 March 2021, at "
    "$4.50 each. The hall holds 900 people.\n\nThe band played for two hours. Then it rained, "
    "and the crowd went home along the river, singing.\n",
    "Third\n\nShort sentences. Then a longer one that goes on for a while, with commas, "
    "clauses, and a final thought about nothing in particular. Done.\n",
};

typedef struct voice_case {
    const char *espeak;
    int rate;
} voice_case;

static const voice_case voices[] = {{"en-us", 175}, {"en-gb+m3", 210}, {"en-us", 175}};

static aloud_doc *parse(const char *t)
{
    aloud_doc *doc = NULL;
    assert_int_equal(aloud_doc_parse(t, strlen(t), &doc, NULL), ALOUD_OK);
    assert_int_equal(aloud_doc_speak(doc, NULL, NULL), ALOUD_OK);
    return doc;
}

static void voice_of(size_t i, aloud_voice *v)
{
    aloud_voice_defaults(v);
    snprintf(v->espeak, sizeof v->espeak, "%s", voices[i].espeak);
    v->rate = voices[i].rate;
}

/* Renders docs[i] with voices[i % 3] to fx/NAME-i.wav, with `engine` (may
 * be NULL) told that docs[next] follows (next < 0: nothing). */
static void render_to(tu_fixture *fx, const char *name, size_t i, aloud_doc *const *docs,
                      aloud_engine *engine, int next, unsigned jobs, char *out, size_t size)
{
    char file[64];
    snprintf(file, sizeof file, "%s-%zu.wav", name, i);
    tu_path(fx, file, out, size);
    aloud_voice voice, next_voice;
    voice_of(i % 3, &voice);
    aloud_render_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.voice = &voice;
    opts.format = aloud_format_by_name("wav");
    opts.output = out;
    opts.jobs = jobs;
    opts.engine = engine;
    if (next >= 0) {
        voice_of((size_t)next % 3, &next_voice);
        opts.next = docs[next];
        opts.next_voice = &next_voice;
    }
    aloud_render_result res;
    aloud_error err;
    aloud_status st = aloud_render(docs[i], &opts, &res, &err);
    if (st != ALOUD_OK)
        fail_msg("render %s-%zu: %s", name, i, err.message);
    assert_true(res.frames > 0);
    aloud_render_result_free(&res);
}

static void assert_same_file(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *da = tu_read_all(a, &na);
    unsigned char *db = tu_read_all(b, &nb);
    if (na != nb || memcmp(da, db, na) != 0)
        fail_msg("%s and %s differ (%zu and %zu bytes)", a, b, na, nb);
    free(da);
    free(db);
}

static int setup(void **state)
{
    return tu_fixture_setup(state, "engine");
}

/* Mixed voices through one engine, with right hints, at one and two workers. */
static void test_shared_engine_same_bytes(void **state)
{
    tu_fixture *fx = *state;
    aloud_doc *docs[3];
    char alone[3][PATH_MAX], shared[PATH_MAX];
    for (size_t i = 0; i < 3; i++) {
        docs[i] = parse(texts[i]);
        render_to(fx, "alone", i, docs, NULL, -1, 1, alone[i], sizeof alone[i]);
    }
    for (unsigned jobs = 1; jobs <= 2; jobs++) {
        aloud_engine *engine = NULL;
        assert_int_equal(aloud_engine_create(jobs, &engine, NULL), ALOUD_OK);
        for (size_t i = 0; i < 3; i++) {
            char name[16];
            snprintf(name, sizeof name, "j%u", jobs);
            render_to(fx, name, i, docs, engine, i + 1 < 3 ? (int)i + 1 : -1, 0, shared,
                      sizeof shared);
            assert_same_file(alone[i], shared);
        }
        aloud_engine_free(engine);
    }
    for (size_t i = 0; i < 3; i++)
        aloud_doc_free(docs[i]);
}

/* A wrong hint (the next render speaks another document, or the same one
 * with another voice) only wastes work. */
static void test_wrong_hint(void **state)
{
    tu_fixture *fx = *state;
    aloud_doc *docs[3];
    char alone[3][PATH_MAX], shared[PATH_MAX];
    for (size_t i = 0; i < 3; i++) {
        docs[i] = parse(texts[i]);
        render_to(fx, "alone", i, docs, NULL, -1, 2, alone[i], sizeof alone[i]);
    }
    aloud_engine *engine = NULL;
    assert_int_equal(aloud_engine_create(2, &engine, NULL), ALOUD_OK);
    render_to(fx, "w", 0, docs, engine, 1, 0, shared, sizeof shared);
    assert_same_file(alone[0], shared);
    /* Told docs[1] would follow; docs[2] does. */
    render_to(fx, "w", 2, docs, engine, 0, 0, shared, sizeof shared);
    assert_same_file(alone[2], shared);
    /* Told docs[0] with voices[0] would follow; docs[1] with voices[1] does. */
    render_to(fx, "w", 1, docs, engine, 0, 0, shared, sizeof shared);
    assert_same_file(alone[1], shared);
    /* Told docs[0] would follow, whose spoken forms then change (spoken again with a
     * lexicon): the same document at the same address, but the new text is spoken. */
    char lexfile[PATH_MAX], changed[PATH_MAX];
    tu_path(fx, "words.lex", lexfile, sizeof lexfile);
    static const char entry[] = "harbour = fjord\ngulls = pelicans\n";
    tu_write_bytes(lexfile, entry, sizeof entry - 1);
    aloud_lexicon *lex = aloud_lexicon_create();
    tu_require(lex);
    assert_int_equal(aloud_lexicon_load(lex, lexfile, NULL), ALOUD_OK);
    assert_int_equal(aloud_doc_speak(docs[0], lex, NULL), ALOUD_OK);
    render_to(fx, "w", 0, docs, engine, -1, 0, shared, sizeof shared);
    aloud_doc *fresh[1] = {parse(texts[0])};
    assert_int_equal(aloud_doc_speak(fresh[0], lex, NULL), ALOUD_OK);
    render_to(fx, "lex", 0, fresh, NULL, -1, 1, changed, sizeof changed);
    assert_same_file(changed, shared);
    aloud_doc_free(fresh[0]);
    aloud_lexicon_free(lex);
    aloud_engine_free(engine);
    for (size_t i = 0; i < 3; i++)
        aloud_doc_free(docs[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shared_engine_same_bytes, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_hint, setup, tu_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

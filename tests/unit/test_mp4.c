/*
 * test_mp4.c - the M4B writer at the edges of its segments: no audio at
 * all (written without error: an encoder given nothing makes no packet),
 * and one sample, less than one AAC frame, one frame and a little more,
 * each read back (aloud_media_read: the edit list's length) to the sample.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "aloud.h"
#include "testutil.h"
#include "writer.h"

static int setup(void **state)
{
    return tu_fixture_setup(state, "mp4");
}

static void test_short_lengths(void **state)
{
    tu_fixture *fx = *state;
    static const uint64_t lengths[] = {0, 1, 1023, 1024, 1025, 22050};
    const char *titles[] = {"only"};
    const uint64_t chapters[] = {0};
    writer_params p = {.sample_rate = 22050, .channels = 1, .chapter_count = 1,
                       .chapter_titles = titles};

    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        char path[PATH_MAX + 32], name[32];
        aloud_media *m = NULL;
        aloud_error err = {0};

        snprintf(name, sizeof name, "n%zu.m4b", i);
        tu_path(fx, name, path, sizeof path);
        assert_int_equal(tu_write_audio(&writer_m4b, path, &p, lengths[i], chapters, NULL),
                         ALOUD_OK);
        if (lengths[i] == 0)
            continue;
        assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
        if (m->frames != lengths[i])
            fail_msg("%llu frames written, %llu read", (unsigned long long)lengths[i],
                     (unsigned long long)m->frames);
        aloud_media_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_short_lengths, setup, tu_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

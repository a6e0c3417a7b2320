/*
 * test_outfile.c - the temporary file beside the output: its name, that a
 * new output gets the mode open(..., 0666) gives under the umask, that a
 * replaced output gets the same (it is a new file renamed over the old
 * one), and that neither changes the umask or leaves anything behind.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "aloud.h"
#include "outfile.h"
#include "testutil.h"

static int setup(void **state)
{
    return tu_fixture_setup(state, "outfile");
}

/* The permission bits of `path`. */
static mode_t file_mode(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_mode & 07777;
}

/* Files in `dir`, "." and ".." not counted. */
static size_t file_count(const char *dir)
{
    DIR *d = opendir(dir);
    tu_require(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* Creates and commits FX->dir/out.wav under `mask`, over an existing file
 * of mode `existing` unless that is 0; checks the temporary's name and
 * mode, the final mode, that the umask is as it was and that only the
 * output is left. */
static void commit_under(const tu_fixture *fx, mode_t mask, mode_t existing)
{
    char dest[PATH_MAX];
    tu_path(fx, "out.wav", dest, sizeof dest);
    if (existing) {
        tu_write_bytes(dest, "old", 3);
        assert_int_equal(chmod(dest, existing), 0);
    }
    mode_t saved = umask(mask);
    outfile *of = NULL;
    aloud_error err = {0};
    assert_int_equal(outfile_create(dest, &of, &err), ALOUD_OK);
    tu_require(of);
    /* No umask(): the mask is still the one set here. */
    assert_int_equal(umask(mask), mask);
    const char *temp = outfile_temp_path(of);
    char prefix[PATH_MAX + 32];
    snprintf(prefix, sizeof prefix, "%s/.out.wav.aloud-", fx->dir);
    assert_int_equal(strncmp(temp, prefix, strlen(prefix)), 0);
    assert_int_equal(strlen(temp), strlen(prefix) + 10);
    assert_int_equal(file_mode(temp), 0666 & ~mask);
    assert_int_equal(outfile_commit(of, &err), ALOUD_OK);
    /* A replaced output is a new file too: it does not keep the old mode. */
    assert_int_equal(file_mode(dest), 0666 & ~mask);
    assert_int_equal(file_count(fx->dir), 1);
    umask(saved);
}

static void test_new_output_mode(void **state)
{
    commit_under(*state, 027, 0);
}

static void test_replaced_output_mode(void **state)
{
    commit_under(*state, 022, 0600);
}

static void test_names_differ_and_discard(void **state)
{
    tu_fixture *fx = *state;
    char dest[PATH_MAX];
    tu_path(fx, "out.wav", dest, sizeof dest);
    outfile *a = NULL, *b = NULL;
    assert_int_equal(outfile_create(dest, &a, NULL), ALOUD_OK);
    assert_int_equal(outfile_create(dest, &b, NULL), ALOUD_OK);
    tu_require(a);
    tu_require(b);
    assert_string_not_equal(outfile_temp_path(a), outfile_temp_path(b));
    assert_int_equal(file_count(fx->dir), 2);
    outfile_discard(a);
    outfile_discard(b);
    outfile_discard(NULL);
    assert_int_equal(file_count(fx->dir), 0);
}

static void test_missing_folder(void **state)
{
    tu_fixture *fx = *state;
    char dest[PATH_MAX];
    tu_path(fx, "no/such/out.wav", dest, sizeof dest);
    outfile *of = NULL;
    aloud_error err = {0};
    assert_int_equal(outfile_create(dest, &of, &err), ALOUD_ERR_WRITE);
    assert_null(of);
    assert_non_null(strstr(err.message, "cannot create a file beside"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_output_mode, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_replaced_output_mode, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_names_differ_and_discard, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_missing_folder, setup, tu_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_outfile.c - the temporary file beside the output: its name, that a
 * new output gets the mode open(..., 0666) gives under the umask, that a
 * replaced output gets the same (it is a new file renamed over the old
 * one), and that neither changes the umask or leaves anything behind.
 * Then names too long for a temporary's decorations, the sweeps of what a
 * killed run left, and the set of outputs (aloud_outputs): what it
 * refuses, the null device, a link's target, and a commit that fails
 * half-way putting back what it had replaced.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "aloud.h"
#include "outfile.h"
#include "outputs.h"
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
    assert_non_null(strstr(err.message, "cannot create a temporary file"));
    /* A path too long for the message still leaves room for the reason. */
    char *deep = malloc(4200);
    tu_require(deep);
    size_t len = (size_t)snprintf(deep, 4200, "%s", fx->dir);
    for (int i = 0; i < 19; i++) {
        deep[len++] = '/';
        memset(deep + len, 'd', 200);
        len += 200;
    }
    snprintf(deep + len, 4200 - len, "/x.flac");
    assert_int_equal(outfile_create(deep, &of, &err), ALOUD_ERR_WRITE);
    assert_non_null(strstr(err.message, "cannot create a temporary file ("));
    assert_non_null(strstr(err.message, "No such file"));
    assert_non_null(strstr(err.message, "..."));
    assert_string_equal(err.message + strlen(err.message) - 7, "/x.flac");
    free(deep);
}

/* FX->dir/NAME where NAME is `len` bytes: "aaa...a.flac". */
static void long_name(const tu_fixture *fx, size_t len, char *dest, size_t size)
{
    char name[256];
    memset(name, 'a', len - 5);
    memcpy(name + len - 5, ".flac", 6);
    tu_path(fx, name, dest, size);
}

/* What a run killed before its commit leaves: a child creates the
 * temporary of `dest` and ends without a word. */
static void leave_stale(const char *dest)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        outfile *of = NULL;
        _exit(outfile_create(dest, &of, NULL) == ALOUD_OK ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_long_names_fit(void **state)
{
    tu_fixture *fx = *state;
    char dest[PATH_MAX];
    for (size_t len = 200; len <= 255; len++) {
        long_name(fx, len, dest, sizeof dest);
        outfile *of = NULL;
        aloud_error err = {0};
        assert_int_equal(outfile_create(dest, &of, &err), ALOUD_OK);
        tu_require(of);
        const char *base = strrchr(outfile_temp_path(of), '/') + 1;
        /* Room within NAME_MAX for the Opus spool's ".spool-XXXXXX". */
        assert_true(strlen(base) + strlen(".spool-XXXXXX") <= 255);
        assert_true(strncmp(base, ".aaaa", 5) == 0);
        /* Held by us: the supervisor's sweep leaves it. */
        assert_int_equal(aloud_output_sweep(dest, 0), 0);
        assert_int_equal(outfile_commit(of, &err), ALOUD_OK);
        assert_int_equal(file_count(fx->dir), 1);
        /* Killed before its commit: the sweep finds the shortened name. */
        leave_stale(dest);
        assert_int_equal(file_count(fx->dir), 2);
        assert_int_equal(aloud_output_sweep(dest, 0), 1);
        assert_int_equal(unlink(dest), 0);
    }
    /* Two long names that start alike do not share temporaries. */
    char other[PATH_MAX];
    long_name(fx, 255, dest, sizeof dest);
    snprintf(other, sizeof other, "%s", dest);
    other[strlen(other) - 6] = 'b';
    leave_stale(dest);
    assert_int_equal(aloud_output_sweep(other, 0), 0);
    assert_int_equal(aloud_output_sweep(dest, 0), 1);
}

static void test_commit_sweeps_stale(void **state)
{
    tu_fixture *fx = *state;
    char dest[PATH_MAX], other[PATH_MAX];
    tu_path(fx, "out.wav", dest, sizeof dest);
    tu_path(fx, "other.wav", other, sizeof other);
    leave_stale(dest);
    leave_stale(dest);
    leave_stale(other);
    /* A live run's temporary of the same output: locked, so kept. */
    outfile *live = NULL;
    assert_int_equal(outfile_create(dest, &live, NULL), ALOUD_OK);
    assert_int_equal(file_count(fx->dir), 4);

    aloud_outputs *set = aloud_outputs_create();
    tu_require(set);
    const char *temp = NULL;
    aloud_error err = {0};
    assert_int_equal(outputs_begin(set, dest, &temp, &err), ALOUD_OK);
    tu_write_bytes(temp, "new", 3);
    assert_int_equal(aloud_outputs_commit(set, &err), ALOUD_OK);
    aloud_outputs_free(set);
    /* out.wav, the live temporary and other.wav's (not this output's). */
    assert_int_equal(file_count(fx->dir), 3);
    outfile_discard(live);
    assert_int_equal(aloud_output_sweep(other, 0), 1);
    assert_int_equal(file_count(fx->dir), 1);
}

/* `st` is ALOUD_ERR_ARG and the message holds `what`. */
static void assert_refused(aloud_status st, const aloud_error *err, const char *what)
{
    assert_int_equal(st, ALOUD_ERR_ARG);
    if (!strstr(err->message, what))
        fail_msg("'%s' not in '%s'", what, err->message);
}

static void test_set_refuses(void **state)
{
    tu_fixture *fx = *state;
    char in[PATH_MAX], dir[PATH_MAX], fifo[PATH_MAX], a[PATH_MAX], a2[PATH_MAX];
    tu_path(fx, "talk.srt", in, sizeof in);
    tu_path(fx, "folder", dir, sizeof dir);
    tu_path(fx, "fifo", fifo, sizeof fifo);
    tu_path(fx, "new.json", a, sizeof a);
    tu_path(fx, "folder/../new.json", a2, sizeof a2);
    tu_write_bytes(in, "text", 4);
    assert_int_equal(mkdir(dir, 0777), 0);
    assert_int_equal(mkfifo(fifo, 0666), 0);
    aloud_outputs *set = aloud_outputs_create();
    tu_require(set);
    aloud_error err = {0};
    assert_int_equal(aloud_outputs_add_input(set, in, &err), ALOUD_OK);
    assert_refused(aloud_outputs_add(set, in, &err), &err, "is the input itself");
    assert_refused(aloud_outputs_add(set, dir, &err), &err, "is a folder, not a regular file");
    assert_refused(aloud_outputs_add(set, fifo, &err), &err, "is a FIFO, not a regular file");
    assert_refused(aloud_outputs_add(set, "/dev/zero", &err), &err,
                   "/dev/zero is a character device");
    assert_int_equal(aloud_outputs_add(set, a, &err), ALOUD_OK);
    /* Not there yet, spelt otherwise: still the same file. */
    assert_refused(aloud_outputs_add(set, a2, &err), &err, "already an output of this run");
    aloud_outputs_free(set);

    /* An input registered after the output that is it. */
    set = aloud_outputs_create();
    tu_require(set);
    assert_int_equal(aloud_outputs_add(set, in, &err), ALOUD_OK);
    assert_refused(aloud_outputs_add_input(set, in, &err), &err, "is the input itself");
    aloud_outputs_free(set);
    assert_int_equal(file_count(fx->dir), 3);
}

static void test_set_null_device_and_link(void **state)
{
    tu_fixture *fx = *state;
    char target[PATH_MAX], link[PATH_MAX];
    tu_path(fx, "real.wav", target, sizeof target);
    tu_path(fx, "link.wav", link, sizeof link);
    tu_write_bytes(target, "old", 3);
    assert_int_equal(symlink("real.wav", link), 0);
    char *saved = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", fx->dir, 1);

    aloud_outputs *set = aloud_outputs_create();
    tu_require(set);
    aloud_error err = {0};
    const char *t1 = NULL, *t2 = NULL, *t3 = NULL;
    assert_int_equal(aloud_outputs_add(set, "/dev/null", &err), ALOUD_OK);
    assert_int_equal(aloud_outputs_add(set, "/dev/null", &err), ALOUD_OK);
    assert_int_equal(aloud_outputs_discards(set, "/dev/null"), 1);
    assert_int_equal(outputs_begin(set, "/dev/null", &t1, &err), ALOUD_OK);
    assert_int_equal(outputs_begin(set, "/dev/null", &t2, &err), ALOUD_OK);
    assert_int_equal(outputs_begin(set, link, &t3, &err), ALOUD_OK);
    assert_string_not_equal(t1, t2);
    /* The null device's temporaries are in $TMPDIR; the link's beside its target. */
    assert_int_equal(strncmp(t1, fx->dir, strlen(fx->dir)), 0);
    tu_write_bytes(t1, "discarded", 9);
    tu_write_bytes(t3, "new", 3);
    assert_int_equal(file_count(fx->dir), 5);
    assert_int_equal(aloud_outputs_commit(set, &err), ALOUD_OK);
    aloud_outputs_free(set);
    struct stat sb;
    assert_int_equal(stat("/dev/null", &sb), 0);
    assert_true(S_ISCHR(sb.st_mode));
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    char *text = tu_read_text(target);
    assert_string_equal(text, "new");
    free(text);
    assert_int_equal(file_count(fx->dir), 2);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
}

static void test_set_commit_is_all_or_nothing(void **state)
{
    tu_fixture *fx = *state;
    char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
    tu_path(fx, "a.flac", a, sizeof a);
    tu_path(fx, "a.json", b, sizeof b);
    tu_path(fx, "a.srt", c, sizeof c);
    tu_write_bytes(a, "old audio", 9);
    tu_write_bytes(c, "old captions", 12);
    aloud_outputs *set = aloud_outputs_create();
    tu_require(set);
    aloud_error err = {0};
    const char *ta = NULL, *tb = NULL, *tc = NULL;
    assert_int_equal(outputs_begin(set, a, &ta, &err), ALOUD_OK);
    assert_int_equal(outputs_begin(set, b, &tb, &err), ALOUD_OK);
    assert_int_equal(outputs_begin(set, c, &tc, &err), ALOUD_OK);
    tu_write_bytes(ta, "new audio", 9);
    tu_write_bytes(tb, "new json", 8);
    tu_write_bytes(tc, "new captions", 12);
    /* The third rename fails (its temporary is gone): the first two are undone. */
    assert_int_equal(unlink(tc), 0);
    assert_int_equal(aloud_outputs_commit(set, &err), ALOUD_ERR_WRITE);
    assert_non_null(strstr(err.message, "a.srt"));
    aloud_outputs_free(set);
    char *text = tu_read_text(a);
    assert_string_equal(text, "old audio");
    free(text);
    text = tu_read_text(c);
    assert_string_equal(text, "old captions");
    free(text);
    assert_int_equal(access(b, F_OK), -1);
    assert_int_equal(file_count(fx->dir), 2);

    /* A destination that became a folder since: nothing is replaced. */
    set = aloud_outputs_create();
    tu_require(set);
    assert_int_equal(outputs_begin(set, a, &ta, &err), ALOUD_OK);
    assert_int_equal(outputs_begin(set, b, &tb, &err), ALOUD_OK);
    tu_write_bytes(ta, "new audio", 9);
    assert_int_equal(mkdir(b, 0777), 0);
    assert_int_equal(aloud_outputs_commit(set, &err), ALOUD_ERR_WRITE);
    assert_non_null(strstr(err.message, "is a folder"));
    aloud_outputs_free(set);
    text = tu_read_text(a);
    assert_string_equal(text, "old audio");
    free(text);
    assert_int_equal(rmdir(b), 0);
    assert_int_equal(file_count(fx->dir), 2);

    /* Freed without a commit: nothing touched, nothing left. */
    set = aloud_outputs_create();
    tu_require(set);
    assert_int_equal(outputs_begin(set, a, &ta, &err), ALOUD_OK);
    tu_write_bytes(ta, "new audio", 9);
    aloud_outputs_free(set);
    text = tu_read_text(a);
    assert_string_equal(text, "old audio");
    free(text);
    assert_int_equal(file_count(fx->dir), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_output_mode, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_replaced_output_mode, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_names_differ_and_discard, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_missing_folder, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_long_names_fit, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_commit_sweeps_stale, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_set_refuses, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_set_null_device_and_link, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_set_commit_is_all_or_nothing, setup,
                                        tu_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

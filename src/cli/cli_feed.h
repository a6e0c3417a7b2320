/*
 * cli_feed.h - the podcast feed from the command line (cli_feed.c):
 * `aloud feed DIR` and the update that ends a render with --feed DIR.
 */
#ifndef ALOUD_CLI_FEED_H
#define ALOUD_CLI_FEED_H

#include "cli.h"

/* `aloud feed DIR [options]`: writes or rebuilds DIR/feed.xml, with
 * --cover as the feed's image. Returns the exit code. */
int cli_run_feed(const cli_options *opts);

/* Before a render with --feed DIR: checks the feed's options and the
 * episode's --cover, so that a bad one stops the run before anything is
 * spoken. Prints the error; returns the exit code. */
int cli_feed_check(const cli_options *opts);

/* After a render with --feed DIR: updates DIR/feed.xml with the feed's
 * options (--cover was the item's image, not the feed's). Prints its
 * warnings and errors; returns the exit code. */
int cli_feed_update(const cli_options *opts);

#endif /* ALOUD_CLI_FEED_H */

/* progress.h - progress display for long library calls.
 *
 * On a terminal (stderr is a tty): one line redrawn in place with a bar,
 * the elapsed time and an estimate of the time left in the current stage.
 * Otherwise (CI logs, files): a plain line when a stage starts, at most
 * every 10 seconds, and when it ends.  The callback also carries
 * cancellation: after SIGINT it returns non-zero, the library stops and
 * returns DESURV_E_CANCELLED. */
#ifndef DESURV_CLI_PROGRESS_H
#define DESURV_CLI_PROGRESS_H

#include <stdint.h>

#include "cli.h"

typedef struct progress {
    int enabled, tty, open_line;
    int stage;
    const char *label;
    double t0, stage_t0, last, last_cb; /* last: last drawn; last_cb: last callback */
} progress;

void progress_start(progress *p, const cli_common *c, const char *label);
/* A desurv_progress_fn; user = the progress. */
int progress_cb(int stage, int64_t step, int64_t total, double best, void *user);
/* Ends an open terminal line. */
void progress_finish(progress *p);

#endif

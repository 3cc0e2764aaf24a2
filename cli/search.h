/* search.h - running a configured tuner (tune, cv and demo share it). */
#ifndef DESURV_CLI_SEARCH_H
#define DESURV_CLI_SEARCH_H

#include "commands.h"

/* desurv_tune with a progress display (Ctrl-C cancels), then the choice
 * into ti; with baseline, also the cross-validated C-index of alpha = 0 at
 * the chosen point on the same folds.  Returns an exit code. */
int tune_run(desurv_tuner *t, desurv_model *m, const dataset *d, const cli_common *c,
             int baseline, tune_info *ti);

/* Records the preprocessing in m, computes the results (r->command, r->c
 * and r->tune set by the caller) and writes them into o (committed, or
 * aborted on failure). */
int tune_outputs(const desurv_tuner *t, desurv_model *m, const dataset *d, int64_t top,
                 const tune_info *ti, results *r, outdir *o);

#endif

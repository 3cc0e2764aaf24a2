/* folds.h - cross-validation fold assignment (doc/model.md section 7). */
#ifndef DESURV_FOLDS_H
#define DESURV_FOLDS_H

#include <stddef.h>
#include <stdint.h>

/* Random stream used for fold assignment: the ASCII bytes "FOLDS" in the
 * high bits, far above the small stream numbers the starts use
 * (stream_base + i), so fold shuffles never share numbers with a start. */
#define DSV_FOLDS_STREAM UINT64_C(0x464F4C4453000000)

/* Assign n samples to K folds, stratified by event (and by strata when not
 * NULL: the strata are the pairs (strata[i], event[i])).  Deterministic
 * given seed: within each stratum the samples are shuffled with the
 * library's generator and dealt to the folds in turn, the dealing position
 * carrying over from one stratum to the next so that fold sizes differ by at
 * most one.  The strata are visited in ascending (strata value, event)
 * order, so any int32 labels work (negative, sparse).  Only event != 0
 * matters for stratification.  Random numbers: dsv_rng stream
 * DSV_FOLDS_STREAM of seed.  fold[i] receives 0 .. K-1.
 * Returns DESURV_OK or DESURV_E_DIM (K < 2, K > n or K > INT32_MAX),
 * DESURV_E_NOMEM. */
int dsv_make_folds(int64_t n, const int32_t *event, const int32_t *strata, int64_t K,
                   uint64_t seed, int32_t *fold);

/* Check a user-supplied fold vector: values 0 .. K-1, each used at least
 * once, K >= 2; *K receives the number of folds (max label + 1; 0 on
 * failure).  On failure writes a message naming the first offending sample
 * (its 0-based index and value: a label < 0 or >= n), or the first empty
 * fold, or the single fold, into msg (may be NULL) and returns
 * DESURV_E_RANGE; DESURV_E_DIM when n < 1, DESURV_E_NOMEM. */
int dsv_check_folds(const int32_t *fold, int64_t n, int64_t *K, char *msg, size_t cap);

/* Number of folds 0 .. K-1 whose held-out part has no event (event != 0);
 * labels outside 0 .. K-1 are ignored. */
int64_t dsv_folds_without_events(const int32_t *fold, const int32_t *event, int64_t n,
                                 int64_t K);

#endif

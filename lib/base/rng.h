/* rng.h - the library's own seeded generator (xoshiro256**), with
 * independent streams: stream s of seed x is seeded by SplitMix64 from
 * (x, s), so a (fold, start) task gets the same numbers whatever thread or
 * order runs it, on every platform. */
#ifndef DESURV_RNG_H
#define DESURV_RNG_H

#include <stdint.h>

typedef struct dsv_rng {
    uint64_t s[4];
} dsv_rng;

void dsv_rng_seed(dsv_rng *r, uint64_t seed, uint64_t stream);
uint64_t dsv_rng_next(dsv_rng *r);
double dsv_rng_uniform(dsv_rng *r);        /* [0, 1), 53 random bits */
double dsv_rng_normal(dsv_rng *r);         /* standard normal (polar-free Box-Muller pair not cached) */
double dsv_rng_gamma(dsv_rng *r, double shape, double rate); /* Marsaglia-Tsang */
double dsv_rng_exponential(dsv_rng *r, double rate);
int64_t dsv_rng_below(dsv_rng *r, int64_t n); /* uniform integer in [0, n), unbiased */

#endif

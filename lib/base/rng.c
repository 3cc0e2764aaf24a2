/* rng.c - xoshiro256** with SplitMix64 seeding (Blackman & Vigna).
 *
 * Why our own generator: results must be bit-identical for a given seed on
 * every platform and for every thread count, so nothing may depend on the C
 * library's rand() or on shared state.  A (seed, stream) pair fully
 * determines the sequence. */
#include "base/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void dsv_rng_seed(dsv_rng *r, uint64_t seed, uint64_t stream)
{
    /* Mix the stream id through SplitMix64 first so that neighbouring
     * streams start from unrelated states. */
    uint64_t x = seed;
    uint64_t h = splitmix64(&x) ^ (stream * 0xD1B54A32D192ED03ULL);
    uint64_t y = h;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&y);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1; /* the all-zero state is the one fixed point */
}

uint64_t dsv_rng_next(dsv_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double dsv_rng_uniform(dsv_rng *r)
{
    return (double)(dsv_rng_next(r) >> 11) * 0x1.0p-53;
}

double dsv_rng_normal(dsv_rng *r)
{
    /* Box-Muller without caching the second value: stateless apart from
     * the generator, so streams stay easy to reason about. */
    double u1 = 1.0 - dsv_rng_uniform(r); /* (0, 1] */
    double u2 = dsv_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

double dsv_rng_exponential(dsv_rng *r, double rate)
{
    return -log(1.0 - dsv_rng_uniform(r)) / rate;
}

double dsv_rng_gamma(dsv_rng *r, double shape, double rate)
{
    /* Marsaglia & Tsang (2000); shape < 1 by the boost u^(1/shape). */
    if (shape < 1.0) {
        double u = 1.0 - dsv_rng_uniform(r);
        return dsv_rng_gamma(r, shape + 1.0, rate) * pow(u, 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = dsv_rng_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = 1.0 - dsv_rng_uniform(r);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v / rate;
    }
}

int64_t dsv_rng_below(dsv_rng *r, int64_t n)
{
    /* Rejection on the top of the range keeps the result unbiased. */
    uint64_t un = (uint64_t)n;
    uint64_t limit = UINT64_MAX - UINT64_MAX % un;
    uint64_t x;
    do
        x = dsv_rng_next(r);
    while (x >= limit);
    return (int64_t)(x % un);
}

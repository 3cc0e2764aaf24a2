/* bench_cindex.c - wall time of desurv_cindex (Harrell's C) at large n
 * (bench/README.md, "C-index vs R survival").
 *
 *   bench_cindex [--n N] [--reps R] [--tied-eta] [--seed S] [--write FILE]
 *
 * Without --n: a table for n = 1e4, 1e5, 1e6, continuous and tied eta.
 * With --n: one case, printed as one line
 *     n N eta continuous|tied  C <17 digits>  median S  min S  reps R
 * and with --write FILE the data are first written there for R (see
 * bench/cindex_vs_r.sh): n doubles time, n int32 event, n doubles eta, in
 * native byte order, so R's readBin gets exactly the same doubles.
 *
 * Data: eta ~ N(0, 1); time ~ Exp(rate 0.002 exp(eta)) rounded up to whole
 * days (so thousands of tied times at n = 1e6); event ~ Bernoulli(0.6),
 * independent of the rest.  --tied-eta rounds eta to one decimal (about 80
 * distinct scores).  Public API only.
 */
#define _POSIX_C_SOURCE 199309L
#include <desurv/desurv.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct data {
    int64_t n;
    double *time, *eta;
    int32_t *event;
} data;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* splitmix64: the bench must not depend on the C library's rand(). */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1): never 0, so the logs below stay finite. */
static double unif(uint64_t *s)
{
    return ((double)(next_u64(s) >> 11) + 0.5) * 0x1.0p-53;
}

static double normal(uint64_t *s)
{
    return sqrt(-2.0 * log(unif(s))) * cos(6.283185307179586 * unif(s));
}

static int data_make(data *d, int64_t n, int tied_eta, uint64_t seed)
{
    d->n = n;
    d->time = malloc(sizeof(double) * (size_t)n);
    d->eta = malloc(sizeof(double) * (size_t)n);
    d->event = malloc(sizeof(int32_t) * (size_t)n);
    if (!d->time || !d->eta || !d->event)
        return -1;
    for (int64_t i = 0; i < n; i++) {
        double eta = normal(&seed);
        if (tied_eta)
            eta = round(10.0 * eta) / 10.0;
        d->eta[i] = eta;
        d->time[i] = ceil(-log(unif(&seed)) / (0.002 * exp(eta)));
        d->event[i] = unif(&seed) < 0.6;
    }
    return 0;
}

static void data_free(data *d)
{
    free(d->time);
    free(d->eta);
    free(d->event);
}

static int data_write(const data *d, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = (size_t)d->n;
    int ok = fwrite(d->time, sizeof(double), n, f) == n &&
             fwrite(d->event, sizeof(int32_t), n, f) == n &&
             fwrite(d->eta, sizeof(double), n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct timing {
    double c, median, min;
} timing;

/* Median and minimum wall time of `reps` calls (after one untimed warm-up,
 * which also faults in the library's scratch pages). */
static int time_cindex(const data *d, int reps, timing *out)
{
    double *sec = malloc(sizeof(double) * (size_t)reps);
    if (!sec)
        return -1;
    int rc = desurv_cindex(d->time, d->event, d->eta, d->n, &out->c);
    for (int r = 0; r < reps && rc == DESURV_OK; r++) {
        double t0 = now();
        rc = desurv_cindex(d->time, d->event, d->eta, d->n, &out->c);
        sec[r] = now() - t0;
    }
    if (rc == DESURV_OK) {
        qsort(sec, (size_t)reps, sizeof *sec, cmp_double);
        out->min = sec[0];
        out->median = reps % 2 ? sec[reps / 2] : 0.5 * (sec[reps / 2 - 1] + sec[reps / 2]);
    }
    free(sec);
    return rc == DESURV_OK ? 0 : -1;
}

static int run_one(int64_t n, int tied_eta, int reps, uint64_t seed, const char *path)
{
    data d;
    timing t;
    int rc = data_make(&d, n, tied_eta, seed);
    if (rc == 0 && path)
        rc = data_write(&d, path);
    if (rc == 0)
        rc = time_cindex(&d, reps, &t);
    if (rc == 0)
        printf("n %lld eta %s  C %.17g  median %.6f  min %.6f  reps %d\n", (long long)n,
               tied_eta ? "tied" : "continuous", t.c, t.median, t.min, reps);
    else
        fprintf(stderr, "bench_cindex: failed at n = %lld\n", (long long)n);
    data_free(&d);
    return rc;
}

int main(int argc, char **argv)
{
    int64_t n = 0;
    int reps = 0, tied_eta = 0;
    uint64_t seed = 1;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        int has_val = i + 1 < argc;
        if (!strcmp(argv[i], "--tied-eta"))
            tied_eta = 1;
        else if (!strcmp(argv[i], "--n") && has_val)
            n = (int64_t)atof(argv[++i]); /* atof: accepts 1e6 */
        else if (!strcmp(argv[i], "--reps") && has_val)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && has_val)
            seed = (uint64_t)atoll(argv[++i]);
        else if (!strcmp(argv[i], "--write") && has_val)
            path = argv[++i];
        else {
            fprintf(stderr, "usage: bench_cindex [--n N] [--reps R] [--tied-eta] [--seed S] "
                            "[--write FILE]\n");
            return 2;
        }
    }
    if (n > 0)
        return run_one(n, tied_eta, reps > 0 ? reps : 11, seed, path) ? 1 : 0;
    int rc = 0;
    for (int tied = 0; tied <= 1; tied++)
        for (int64_t m = 10000; m <= 1000000; m *= 10)
            rc |= run_one(m, tied, reps > 0 ? reps : (m < 1000000 ? 51 : 11), seed, NULL);
    return rc ? 1 : 0;
}

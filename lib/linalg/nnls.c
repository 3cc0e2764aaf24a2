/* nnls.c - small nonnegative least-squares problems from their normal
 * equations: the NNLS start (init.c) and the held-out H of the
 * bi-cross-validation error (cv.c).  k is a rank (a handful), so exact
 * coordinate descent on the k x k Gram is cheaper than any factorisation. */
#include "linalg/nnls.h"

#include <math.h>
#include <string.h>

void dsv_nnls_gram(const double *G, int64_t k, const double *B, int64_t m, double *H)
{
    /* cyclic coordinate descent; k is small, so this reaches the exact
     * solution in a few sweeps */
    for (int64_t j = 0; j < m; j++) {
        double *h = H + j * k;
        const double *b = B + j * k;
        memset(h, 0, (size_t)k * sizeof *h);
        for (int sweep = 0; sweep < 1000; sweep++) {
            double change = 0, size = 0;
            for (int64_t r = 0; r < k; r++) {
                if (!(G[r + r * k] > 0))
                    continue; /* a zero column of W: its coefficient stays 0 */
                double gr = -b[r];
                for (int64_t q = 0; q < k; q++)
                    gr += G[r + q * k] * h[q];
                double hn = fmax(0.0, h[r] - gr / G[r + r * k]);
                change = fmax(change, fabs(hn - h[r]));
                size = fmax(size, hn);
                h[r] = hn;
            }
            if (change <= 1e-13 * size)
                break;
        }
    }
}

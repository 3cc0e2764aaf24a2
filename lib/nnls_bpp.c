/* TEMPORARY placeholder until the BPP branch lands: coordinate descent. */
#include "nnls_bpp.h"
#include <math.h>
#include "nnls.h"
int64_t dsv_bpp_work_size(int64_t k, int64_t n) { return k * n + 1; }
int64_t dsv_bpp_iwork_size(int64_t k, int64_t n) { (void)k; return n + 1; }
int dsv_nnls_bpp(const double *G, int64_t k, const double *C, int64_t ldc, int64_t n, double *H,
                 int64_t ldh, uint64_t *passive, double *work, int64_t *iwork)
{
    (void)passive, (void)iwork;
    for (int64_t j = 0; j < n; j++)
        for (int64_t r = 0; r < k; r++)
            work[r + j * k] = C[r + j * ldc];
    double *T = work; /* solve into H via nnls_gram (tight ld) */
    (void)T;
    dsv_nnls_gram(G, k, work, n, H);
    (void)ldh;
    return 0;
}

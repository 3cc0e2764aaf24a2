/* nnls_bpp.h - TEMPORARY placeholder until the BPP branch lands. */
#ifndef DESURV_NNLS_BPP_H
#define DESURV_NNLS_BPP_H
#include <stdint.h>
int64_t dsv_bpp_work_size(int64_t k, int64_t n);
int64_t dsv_bpp_iwork_size(int64_t k, int64_t n);
int dsv_nnls_bpp(const double *G, int64_t k, const double *C, int64_t ldc, int64_t n, double *H,
                 int64_t ldh, uint64_t *passive, double *work, int64_t *iwork);
#endif

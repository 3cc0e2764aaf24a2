/* simulate.h - the paper's simulation design (doc/model.md section 12). */
#ifndef DESURV_SIMULATE_H
#define DESURV_SIMULATE_H

#include <stdint.h>

enum { DSV_SIM_R0 = 0, DSV_SIM_NULL = 1, DSV_SIM_MIXED = 2 };

typedef struct dsv_sim {
    int64_t G, N, K;
    double *X;        /* G x N observed expression */
    double *W;        /* G x K true programs (unit-norm columns) */
    double *H;        /* K x N true loadings */
    double *time;     /* N */
    int32_t *event;   /* N */
    double *lp;       /* N true linear predictor */
    int32_t *gene_class;  /* G: 0 noise, 1 background, 2 + r marker of factor r */
    int32_t *surv_gene;   /* G x K: 1 where gene g drives survival through factor r */
} dsv_sim;

/* Markers per factor and background genes scale with G (150 and 500 at
 * G = 3000).  Returns 0, DESURV_E_DIM (design does not fit) or NOMEM. */
int dsv_simulate(int scenario, int64_t G, int64_t N, int64_t K, uint64_t seed, dsv_sim *out);
void dsv_sim_free(dsv_sim *s);

#endif

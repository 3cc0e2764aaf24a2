/* topgenes.h - per-factor top genes and factor-restricted prediction
 * (doc/model.md section 8). */
#ifndef DESURV_TOPGENES_H
#define DESURV_TOPGENES_H

#include <stdint.h>

/* idx (ntop x k, ld ntop): for each factor the ntop genes of highest
 * specificity score (w_gr / max_g w_gr minus the largest such ratio of the
 * other factors), best first, ties by lower gene index; score (may be NULL)
 * the scores.  work: p doubles + p int64.  Returns 0 or DESURV_E_NOMEM. */
int dsv_top_genes(const double *W, int64_t p, int64_t k, int64_t ldw, int64_t ntop,
                  int64_t *idx, double *score);

/* lp = sum_r beta_r sum_{g in top_r} X[g, j] W[g, r] over the ntop x k gene
 * table idx (ntop = 0: all genes, idx unused). */
void dsv_predict_restricted(const double *W, int64_t p, int64_t k, const double *beta,
                            const int64_t *idx, int64_t ntop, const double *X, int64_t ldx,
                            int64_t n, double *lp);

#endif

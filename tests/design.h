/* design.h - survival designs (time, event, covariates) read from golden
 * TSVs, shared by the Cox and elastic-net suites. */
#ifndef DESURV_TEST_DESIGN_H
#define DESURV_TEST_DESIGN_H

#include <stdint.h>

typedef struct design {
    int64_t n, k;
    double *time, *Z; /* Z: n x k, ld n (standardised in the enet designs) */
    int32_t *event;
} design;

/* Read tests/golden/<name>: columns time, event, z1..zk (fails the running
 * Check test if the file is missing or malformed). */
void load_design(const char *name, design *d);
void design_free(design *d);

#endif

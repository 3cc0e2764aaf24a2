/* blasinfo.c - BLAS threading, queried without changing it.
 *
 * The library must not touch BLAS global settings, so it cannot make a
 * threaded OpenBLAS sequential for its own worker threads.  It can ask:
 * openblas_get_num_threads() is referenced weakly, so the library still
 * links and runs against a BLAS that lacks it (the reference BLAS).
 */
#include "base/blasinfo.h"

#if defined(__GNUC__)
extern int openblas_get_num_threads(void) __attribute__((weak));
#endif

int dsv_blas_threads(void)
{
#if defined(__GNUC__)
    if (openblas_get_num_threads) {
        int t = openblas_get_num_threads();
        return t > 1 ? t : 1;
    }
#endif
    return 1;
}

int dsv_worker_threads(int wanted)
{
    return wanted > 1 && dsv_blas_threads() > 1 ? 1 : wanted;
}

/* placeholder: blas.c is being written */
typedef int dsv_placeholder_blas;

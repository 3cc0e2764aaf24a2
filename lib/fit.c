/* placeholder: fit.c is being written */
typedef int dsv_placeholder_fit;

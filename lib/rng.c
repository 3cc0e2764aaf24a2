/* placeholder: rng.c is being written */
typedef int dsv_placeholder_rng;

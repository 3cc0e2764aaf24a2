/* placeholder: nmf.c is being written */
typedef int dsv_placeholder_nmf;

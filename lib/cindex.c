/* placeholder: cindex.c is being written */
typedef int dsv_placeholder_cindex;

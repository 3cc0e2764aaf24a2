/* placeholder: cox.c is being written */
typedef int dsv_placeholder_cox;

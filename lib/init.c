/* placeholder: init.c is being written */
typedef int dsv_placeholder_init;

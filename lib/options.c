/* placeholder: options.c is being written */
typedef int dsv_placeholder_options;

/* placeholder: errors.c is being written */
typedef int dsv_placeholder_errors;

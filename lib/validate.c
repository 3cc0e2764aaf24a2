/* placeholder: validate.c is being written */
typedef int dsv_placeholder_validate;

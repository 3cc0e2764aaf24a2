/* placeholder: model.c is being written */
typedef int dsv_placeholder_model;

/* placeholder: sigma2.c is being written */
typedef int dsv_placeholder_sigma2;

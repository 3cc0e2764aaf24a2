/* placeholder: enet.c is being written */
typedef int dsv_placeholder_enet;

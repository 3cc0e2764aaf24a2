/* msg.h - formatted messages into a caller buffer (dsv_msg), for the layers
 * that have no handle; model/model.h adds dsv_fail (a message on a handle). */
#ifndef DESURV_MSG_H
#define DESURV_MSG_H

#include <stddef.h>

#define DSV_ERRMSG_CAP 512

/* Format into a caller buffer (validation helpers that have no handle). */
void dsv_msg(char *buf, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif

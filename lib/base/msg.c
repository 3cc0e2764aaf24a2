/* msg.c - dsv_msg: a formatted message into a caller buffer. */
#include <stdarg.h>
#include <stdio.h>

#include "base/msg.h"

void dsv_msg(char *buf, size_t cap, const char *fmt, ...)
{
    if (!buf || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
}

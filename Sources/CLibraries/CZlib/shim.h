#ifndef DATAPILOT_CZLIB_SHIM_H
#define DATAPILOT_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro over inflateInit2_: a function Swift can call. */
static inline int datapilot_inflate_init2(z_stream *stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}
#endif

#ifndef FACESEARCH_JPEG_DECODE_H
#define FACESEARCH_JPEG_DECODE_H
#include <stddef.h>
#include <stdint.h>

/* Output buffer provider: a buffer of `size` bytes, or NULL (the decode then gives up and returns JPEG_FALLBACK). */
typedef uint8_t *(*jpeg_alloc_fn)(void *ctx, size_t size);

typedef enum { JPEG_OK = 0, JPEG_FALLBACK = 1 } jpeg_status;

/*
 * Decodes `bytes` to interleaved RGB at scale_eighths/8. JPEG_FALLBACK (and nothing allocated, or the
 * allocated buffer zero-filled) for whatever the fast path does not take; see index.d.ts.
 */
jpeg_status jpeg_decode_rgb(const uint8_t *bytes, size_t length, int scale_eighths, int64_t max_pixels, jpeg_alloc_fn alloc,
                            void *ctx, uint32_t *width, uint32_t *height);

#endif

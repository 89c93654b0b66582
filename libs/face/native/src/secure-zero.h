#ifndef FACESEARCH_SECURE_ZERO_H
#define FACESEARCH_SECURE_ZERO_H
#include <stddef.h>
#include <string.h>

/*
 * memset that the compiler keeps: a plain memset right before free() is a dead store it may remove
 * (GCC did, in planar_tensor), leaving image-derived bytes in freed heap memory.
 */
static inline void secure_zero(void *p, size_t n) {
  static void *(*const volatile memset_v)(void *, int, size_t) = memset;
  memset_v(p, 0, n);
}

#endif

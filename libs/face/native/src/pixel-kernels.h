#ifndef FACESEARCH_PIXEL_KERNELS_H
#define FACESEARCH_PIXEL_KERNELS_H
#include <stdint.h>

/*
 * The pixel loops of the face pipeline, as libs/face/src computes them in TypeScript (planar-tensor.ts,
 * affine-warp.ts): the same formulas in the same order, double arithmetic, float32/uint8 where the
 * TypeScript stores into typed arrays, so both give the same values bit for bit (the specs compare them).
 * Built without -ffast-math and with -ffp-contract=off (no fused multiply-adds) for that reason.
 */

/* toPlanarTensor: returns 0, or -1 when out of memory (nothing written then). */
int planar_tensor(const uint8_t *src, int src_width, int src_height, float *out, int input_width, int input_height, int width,
                  int height, double mean, double std, int bgr);

/* mirrorPlanar over the top-left width x height region of each of the 3 planes. */
void mirror_planar(float *tensor, int64_t plane, int input_width, int width, int height);

/* warpAffine: to_source = [a, b, tx, c, d, ty]; `taps` per axis (1: one bilinear sample per pixel). */
void warp_affine(const uint8_t *src, int src_width, int src_height, const double *to_source, int taps, uint8_t *out, int width,
                 int height);

/* laplacianVariance (quality/sharpness.ts); `grey` is scratch of width x height floats, zeroed on return. */
double laplacian_variance(const uint8_t *data, int width, int height, double inner_fraction, float *grey);

/* The warp's kernel in use ("avx2" or "scalar"); use_pixel_kernel(1) forces scalar, (0) the CPU's best;
 * pixel_kernels_init() picks the CPU's best the first time any thread loads the addon. */
const char *pixel_kernel(void);
void use_pixel_kernel(int scalar);
void pixel_kernels_init(void);

#endif

/* See pixel-kernels.h: ports of planar-tensor.ts and affine-warp.ts, value for value. */
#include "pixel-kernels.h"
#include "secure-zero.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PIXELS_AVX2 1
#endif

/* 1: the warp's bilinear fast path in AVX2 (the same operations per channel, so the same bytes). Chosen
 * once per process (pixel_kernels_init) or by use_pixel_kernel, read by every thread: atomic. */
static atomic_int use_avx2 = 0;
static atomic_flag kernel_chosen = ATOMIC_FLAG_INIT;

/* Math.round: halves go up (C's round() takes them away from zero). */
static double round_half_up(double v) { return floor(v + 0.5); }

typedef struct {
  int32_t *start;
  int32_t *count;
  float *weights;
  int taps;
} axis_weights;

/* Keys' cubic (a = -0.5). */
static double cubic(double t) {
  double x = fabs(t);
  if (x < 1) return 1.5 * x * x * x - 2.5 * x * x + 1;
  if (x < 2) return -0.5 * x * x * x + 2.5 * x * x - 4 * x + 2;
  return 0;
}

static void free_axis(axis_weights *w) {
  free(w->start);
  free(w->count);
  free(w->weights);
}

/* axisWeights() of planar-tensor.ts. */
static int make_axis(int from, int to, axis_weights *w) {
  double scale = (double)to / from;
  int enlarging = scale >= 1;
  double support = enlarging ? 2 : 1 / scale;
  int taps = (int)ceil(2 * support) + 1;
  w->taps = taps;
  w->start = calloc((size_t)to, sizeof(int32_t));
  w->count = calloc((size_t)to, sizeof(int32_t));
  w->weights = calloc((size_t)to * taps, sizeof(float));
  if (!w->start || !w->count || !w->weights) {
    free_axis(w);
    return -1;
  }
  for (int o = 0; o < to; o++) {
    double centre = fmin(from - 1, fmax(0, (o + 0.5) / scale - 0.5));
    int first = (int)fmax(0, ceil(centre - support));
    int last = (int)fmin(from - 1, floor(centre + support));
    double sum = 0;
    int n = 0;
    float *ws = w->weights + (size_t)o * taps;
    for (int i = first; i <= last && n < taps; i++, n++) {
      double t = i - centre;
      double k = enlarging ? cubic(t) : fmax(0, 1 - fabs(t) / support);
      ws[n] = (float)k;
      sum += k;
    }
    for (int k = 0; k < n; k++) ws[k] = (float)((double)ws[k] / sum);
    w->start[o] = first;
    w->count[o] = n;
  }
  return 0;
}

int planar_tensor(const uint8_t *src, int src_width, int src_height, float *out, int input_width, int input_height, int width,
                  int height, double mean, double std, int bgr) {
  int64_t plane = (int64_t)input_width * input_height;
  double inv = 1 / std;
  float pad = (float)(-mean * inv + 0.0); /* + 0: a mean of 0 pads with +0, not -0, as the TypeScript does */
  int first = bgr ? 2 : 0;
  int last = 2 - first;
  if (width == src_width && height == src_height) {
    float lut[256];
    for (int v = 0; v < 256; v++) lut[v] = (float)((v - mean) * inv);
    float *red = out + (first == 0 ? 0 : 2 * plane), *green = out + plane, *blue = out + (first == 0 ? 2 * plane : 0);
    for (int y = 0; y < input_height; y++) {
      int64_t o = (int64_t)y * input_width;
      int x = 0;
      if (y < height) {
        const uint8_t *s = src + (int64_t)y * src_width * 3;
        for (; x < width; x++, s += 3) {
          red[o + x] = lut[s[0]];
          green[o + x] = lut[s[1]];
          blue[o + x] = lut[s[2]];
        }
      }
      for (; x < input_width; x++) red[o + x] = green[o + x] = blue[o + x] = pad;
    }
    return 0;
  }
  axis_weights h, v;
  if (make_axis(src_width, width, &h) != 0) return -1;
  if (make_axis(src_height, height, &v) != 0) {
    free_axis(&h);
    return -1;
  }
  size_t rows_size = (size_t)src_height * width * 3 * sizeof(float);
  float *rows = malloc(rows_size);
  if (!rows) {
    free_axis(&h);
    free_axis(&v);
    return -1;
  }
  for (int y = 0; y < src_height; y++) {
    const uint8_t *row_in = src + (int64_t)y * src_width * 3;
    float *row_out = rows + (int64_t)y * width * 3;
    for (int x = 0; x < width; x++) {
      double r = 0, g = 0, b = 0;
      const float *ws = h.weights + (size_t)x * h.taps;
      const uint8_t *s = row_in + (int64_t)h.start[x] * 3;
      for (int k = 0; k < h.count[x]; k++, s += 3) {
        double w = ws[k];
        r += w * s[0];
        g += w * s[1];
        b += w * s[2];
      }
      row_out[3 * x] = (float)r;
      row_out[3 * x + 1] = (float)g;
      row_out[3 * x + 2] = (float)b;
    }
  }
  for (int64_t i = 0; i < 3 * plane; i++) out[i] = pad;
  for (int y = 0; y < height; y++) {
    const float *ws = v.weights + (size_t)y * v.taps;
    int top = v.start[y], n = v.count[y];
    int64_t o = (int64_t)y * input_width;
    for (int x = 0; x < width; x++, o++) {
      double c0 = 0, c1 = 0, c2 = 0;
      const float *s = rows + ((int64_t)top * width + x) * 3;
      for (int k = 0; k < n; k++, s += (int64_t)width * 3) {
        double w = ws[k];
        c0 += w * s[first];
        c1 += w * s[1];
        c2 += w * s[last];
      }
      out[o] = (float)((c0 - mean) * inv);
      out[o + plane] = (float)((c1 - mean) * inv);
      out[o + 2 * plane] = (float)((c2 - mean) * inv);
    }
  }
  /* The resampled rows are image-derived: zeroed before they go back to the allocator. */
  secure_zero(rows, rows_size);
  free(rows);
  free_axis(&h);
  free_axis(&v);
  return 0;
}

void mirror_planar(float *tensor, int64_t plane, int input_width, int width, int height) {
  for (int p = 0; p < 3; p++) {
    for (int y = 0; y < height; y++) {
      float *l = tensor + p * plane + (int64_t)y * input_width, *r = l + width - 1;
      for (; l < r; l++, r--) {
        float t = *l;
        *l = *r;
        *r = t;
      }
    }
  }
}

/* floor() without the libm call x86-64's baseline makes of it (no SSE4.1 rounding): 2 per pixel. */
static inline double fast_floor(double v) {
  if (!(fabs(v) < 4503599627370496.0)) return floor(v); /* 2^52: beyond it (or NaN) every double is whole */
  double t = (double)(int64_t)v;
  return t > v ? t - 1 : t;
}

/* sample() of affine-warp.ts: adds weight x the bilinear sample at (sx, sy); outside pixels are black. */
static void sample(const uint8_t *src, int sw, int sh, double sx, double sy, double weight, double rgb[3]) {
  double fx0 = fast_floor(sx), fy0 = fast_floor(sy);
  /* Written so that NaN fails it too (the TypeScript's NaN weights add nothing; here they would index). */
  if (!(fx0 >= -1 && fy0 >= -1 && fx0 < sw && fy0 < sh)) return;
  int x0 = (int)fx0, y0 = (int)fy0;
  double fx = sx - x0, fy = sy - y0;
  int64_t stride = (int64_t)sw * 3;
  int64_t p = y0 * stride + x0 * 3;
  int top = y0 >= 0, bottom = y0 + 1 < sh, left = x0 >= 0, right = x0 + 1 < sw;
  double w00 = top && left ? (1 - fx) * (1 - fy) * weight : 0;
  double w10 = top && right ? fx * (1 - fy) * weight : 0;
  double w01 = bottom && left ? (1 - fx) * fy * weight : 0;
  double w11 = bottom && right ? fx * fy * weight : 0;
  for (int ch = 0; ch < 3; ch++) {
    /* Zero weights guard the reads outside the image. */
    double a = w00 != 0 ? w00 * src[p + ch] : w00;
    double b = w10 != 0 ? w10 * src[p + 3 + ch] : w10;
    double c = w01 != 0 ? w01 * src[p + stride + ch] : w01;
    double d = w11 != 0 ? w11 * src[p + stride + 3 + ch] : w11;
    rgb[ch] += a + b + c + d;
  }
}

/* ToUint8 of a value in [0.5, 256): truncation, as a Uint8Array store does. */
static uint8_t to_u8(double v) { return (uint8_t)(int)v; }

/* A one-tap pixel whose taps are not all inside the image (sample() blacks out the missing ones). */
static void edge_pixel(const uint8_t *src, int sw, int sh, double sx, double sy, uint8_t *out) {
  double rgb[3] = {0, 0, 0};
  sample(src, sw, sh, sx, sy, 1, rgb);
  out[0] = to_u8(rgb[0] + 0.5);
  out[1] = to_u8(rgb[1] + 0.5);
  out[2] = to_u8(rgb[2] + 0.5);
}

/* The four bilinear weights' sum for the three channels of the pixel at p (q: the row below). */
typedef void (*bilinear_fn)(const uint8_t *p, const uint8_t *q, double w00, double w10, double w01, double w11, uint8_t *out);

static inline void bilinear_scalar(const uint8_t *p, const uint8_t *q, double w00, double w10, double w01, double w11, uint8_t *out) {
  for (int ch = 0; ch < 3; ch++) out[ch] = to_u8(w00 * p[ch] + w10 * p[3 + ch] + w01 * q[ch] + w11 * q[3 + ch] + 0.5);
}

/*
 * The one-tap warp (affine-warp.ts's inlined loop), with the per-pixel sum `bilinear`. Always inlined,
 * so each caller below compiles it for its own target with its `bilinear` inlined too.
 */
static inline __attribute__((always_inline)) void warp_one_tap(const uint8_t *src, int sw, int sh, const double *m, uint8_t *out, int width,
                                                               int height, bilinear_fn bilinear) {
  double a = m[0], b = m[1], tx = m[2], c = m[3], d = m[4], ty = m[5];
  int64_t stride = (int64_t)sw * 3;
  int64_t o = 0;
  for (int y = 0; y < height; y++) {
    double sx = b * y + tx;
    double sy = d * y + ty;
    for (int x = 0; x < width; x++, o += 3, sx += a, sy += c) {
      /* floor(s) >= 0 && floor(s) + 1 < side, written for s itself: inside, floor is a truncation. */
      if (sx >= 0 && sy >= 0 && sx < sw - 1 && sy < sh - 1) {
        int x0 = (int)sx, y0 = (int)sy;
        double fx = sx - x0, fy = sy - y0;
        const uint8_t *p = src + y0 * stride + x0 * 3;
        bilinear(p, p + stride, (1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy, out + o);
      } else {
        edge_pixel(src, sw, sh, sx, sy, out + o);
      }
    }
  }
}

static void warp_one_tap_scalar(const uint8_t *src, int sw, int sh, const double *m, uint8_t *out, int width, int height) {
  warp_one_tap(src, sw, sh, m, out, width, height, bilinear_scalar);
}

#ifdef PIXELS_AVX2
/* Three bytes (one RGB pixel; the 4th lane holds a neighbour, unused) as doubles. Reads p[0..3]. */
__attribute__((target("avx2"))) static inline __m256d rgb_at(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(v)));
}

/* The pixel after p, without reading past it: p[2..5] shifted down a byte. */
__attribute__((target("avx2"))) static inline __m256d rgb_after(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p + 2, 4);
  return _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(_mm_cvtsi32_si128((int32_t)(v >> 8))));
}

/*
 * bilinear_scalar with the three channels in one vector: per channel the same multiplies and adds in the
 * same order (no FMA: this target does not enable it), so the same bytes, ~2x faster.
 */
__attribute__((target("avx2"))) static inline void bilinear_avx2(const uint8_t *p, const uint8_t *q, double w00, double w10, double w01, double w11,
                                                                 uint8_t *out) {
  __m256d acc = _mm256_mul_pd(_mm256_set1_pd(w00), rgb_at(p));
  acc = _mm256_add_pd(acc, _mm256_mul_pd(_mm256_set1_pd(w10), rgb_after(p)));
  acc = _mm256_add_pd(acc, _mm256_mul_pd(_mm256_set1_pd(w01), rgb_at(q)));
  acc = _mm256_add_pd(acc, _mm256_mul_pd(_mm256_set1_pd(w11), rgb_after(q)));
  __m128i v = _mm256_cvttpd_epi32(_mm256_add_pd(acc, _mm256_set1_pd(0.5)));
  out[0] = (uint8_t)_mm_cvtsi128_si32(v);
  out[1] = (uint8_t)_mm_extract_epi32(v, 1);
  out[2] = (uint8_t)_mm_extract_epi32(v, 2);
}

__attribute__((target("avx2"))) static void warp_one_tap_avx2(const uint8_t *src, int sw, int sh, const double *m, uint8_t *out, int width, int height) {
  warp_one_tap(src, sw, sh, m, out, width, height, bilinear_avx2);
}
#endif

const char *pixel_kernel(void) { return atomic_load(&use_avx2) ? "avx2" : "scalar"; }

void use_pixel_kernel(int scalar) {
  int avx2 = 0;
#ifdef PIXELS_AVX2
  if (!scalar) avx2 = __builtin_cpu_supports("avx2");
#else
  (void)scalar;
#endif
  atomic_store(&use_avx2, avx2);
}

void pixel_kernels_init(void) {
  /* Once per process: a worker thread loading the addon later must not undo use_pixel_kernel. */
  if (!atomic_flag_test_and_set(&kernel_chosen)) use_pixel_kernel(0);
}

void warp_affine(const uint8_t *src, int sw, int sh, const double *m, int taps, uint8_t *out, int width, int height) {
  if (taps <= 1) {
#ifdef PIXELS_AVX2
    if (atomic_load_explicit(&use_avx2, memory_order_relaxed)) {
      warp_one_tap_avx2(src, sw, sh, m, out, width, height);
      return;
    }
#endif
    warp_one_tap_scalar(src, sw, sh, m, out, width, height);
    return;
  }
  double a = m[0], b = m[1], tx = m[2], c = m[3], d = m[4], ty = m[5];
  double rgb[3];
  double step = 1.0 / taps;
  double weight = 1.0 / ((double)taps * taps);
  int64_t o = 0;
  for (int y = 0; y < height; y++) {
    for (int x = 0; x < width; x++, o += 3) {
      rgb[0] = rgb[1] = rgb[2] = 0;
      for (int i = 0; i < taps; i++) {
        double py = y + (i + 0.5) * step - 0.5;
        for (int j = 0; j < taps; j++) {
          double px = x + (j + 0.5) * step - 0.5;
          sample(src, sw, sh, a * px + b * py + tx, c * px + d * py + ty, weight, rgb);
        }
      }
      out[o] = to_u8(rgb[0] + 0.5);
      out[o + 1] = to_u8(rgb[1] + 0.5);
      out[o + 2] = to_u8(rgb[2] + 0.5);
    }
  }
}

double laplacian_variance(const uint8_t *data, int width, int height, double inner_fraction, float *grey) {
  int64_t n_px = (int64_t)width * height;
  for (int64_t i = 0, p = 0; i < n_px; i++, p += 3) grey[i] = (float)(0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2]);
  int mx = (int)fmax(1, round_half_up((width * (1 - inner_fraction)) / 2));
  int my = (int)fmax(1, round_half_up((height * (1 - inner_fraction)) / 2));
  double sum = 0, sum_sq = 0;
  int64_t n = 0;
  for (int y = my; y < height - my; y++) {
    for (int x = mx; x < width - mx; x++) {
      int64_t i = (int64_t)y * width + x;
      double lap = (double)grey[i - 1] + grey[i + 1] + grey[i - width] + grey[i + width] - 4 * (double)grey[i];
      sum += lap;
      sum_sq += lap * lap;
      n++;
    }
  }
  secure_zero(grey, (size_t)n_px * sizeof(float));
  if (n == 0) return 0;
  double mean = sum / n;
  return sum_sq / n - mean * mean;
}

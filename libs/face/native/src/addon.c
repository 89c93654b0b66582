/* Node-API surface of the pixels addon. Plain C, no V8 ABI: one build serves every worker thread. */
#include <node_api.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

#include "jpeg-decode.h"
#include "pixel-kernels.h"
#include "secure-zero.h"

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, "PIXELS", "pixels: " #call " failed");    \
      return NULL;                                                    \
    }                                                                 \
  } while (0)
#define FAIL(msg)                                 \
  do {                                            \
    napi_throw_type_error(env, "PIXELS", (msg)); \
    return NULL;                                  \
  } while (0)

typedef struct {
  napi_env env;
  napi_value array_buffer;
} alloc_ctx;

/* The call's first n arguments as argv[], or a TypeError naming the signature when fewer were passed. */
#define ARGS(n, usage)                                          \
  size_t argc = (n);                                            \
  napi_value argv[(n)];                                         \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL)); \
  if (argc < (n)) FAIL(usage)

/* The output lives in a JS ArrayBuffer from the start: no copy, and the caller wipes it like any other. */
static uint8_t *alloc_array_buffer(void *ctx, size_t size) {
  alloc_ctx *a = ctx;
  void *data = NULL;
  if (napi_create_arraybuffer(a->env, size, &data, &a->array_buffer) != napi_ok) return NULL;
  return data;
}

/* A typed array of `want`'s type: its data and element count. */
static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, data, &ab, &offset) != napi_ok) return 0;
  return type == want;
}


/* A whole number in min..max (fractions, NaN and other types refused). */
static int integer_in(napi_env env, napi_value v, double min, double max, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= min && d <= max) || d != floor(d)) return 0;
  *out = (int64_t)d;
  return 1;
}

/* Image sides: 64-bit index arithmetic throughout, so anything a decoder produces fits (sharp allows sides of millions). */
#define MAX_SIDE 16777216.0

static int size_arg(napi_env env, napi_value v, int32_t *out) {
  int64_t n;
  if (!integer_in(env, v, 1, MAX_SIDE, &n)) return 0;
  *out = (int32_t)n;
  return 1;
}

/*
 * An RGB image argument: a Uint8Array (`data`) holding at least width x height x 3 bytes, and its sides.
 * NULL, or what is wrong with it.
 */
static const char *rgb_arg(napi_env env, napi_value data, napi_value width, napi_value height, void **pixels, int32_t *w, int32_t *h) {
  size_t length;
  if (!typed(env, data, napi_uint8_array, pixels, &length)) return "pixels must be a Uint8Array";
  if (!size_arg(env, width, w) || !size_arg(env, height, h)) return "sizes must be integers in 1..2^24";
  if (length < (size_t)*w * *h * 3) return "the pixels are fewer than width x height x 3";
  return NULL;
}

#define CHECK_ARG(expr)          \
  do {                           \
    const char *bad_ = (expr);   \
    if (bad_) FAIL(bad_);        \
  } while (0)

/* The resampling scratch of planarTensor (source rows x output width x 3 floats) is refused above this. */
#define MAX_SCRATCH_BYTES (1024.0 * 1024 * 1024)

/* decodeJpeg(bytes: Uint8Array, scaleEighths: 1..8, maxPixels): { data, width, height } | null */
static napi_value decode_jpeg(napi_env env, napi_callback_info info) {
  ARGS(3, "decodeJpeg(bytes, scaleEighths, maxPixels)");
  size_t length = 0;
  void *data = NULL;
  if (!typed(env, argv[0], napi_uint8_array, &data, &length)) FAIL("bytes must be a Uint8Array");
  int64_t scale = 0;
  int64_t max_pixels = 0;
  if (!integer_in(env, argv[1], 1, 8, &scale)) FAIL("scaleEighths must be an integer in 1..8");
  /* 2^31 pixels at most: 6 GB of RGB; the engine's limit (API.md) is far below. */
  if (!integer_in(env, argv[2], 1, 2147483648.0, &max_pixels)) FAIL("maxPixels must be an integer in 1..2^31");
  alloc_ctx ctx = {env, NULL};
  uint32_t width = 0, height = 0;
  napi_value result;
  if (jpeg_decode_rgb(data, length, (int)scale, max_pixels, alloc_array_buffer, &ctx, &width, &height) != JPEG_OK) {
    bool pending = false;
    /* An allocation that failed with a JS exception: let it surface rather than answer "fallback". */
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return NULL;
    CHECK(napi_get_null(env, &result));
    return result;
  }
  size_t size = (size_t)width * height * 3;
  napi_value pixels, w, h;
  if (napi_create_typedarray(env, napi_uint8_array, size, ctx.array_buffer, 0, &pixels) != napi_ok || napi_create_uint32(env, width, &w) != napi_ok ||
      napi_create_uint32(env, height, &h) != napi_ok || napi_create_object(env, &result) != napi_ok ||
      napi_set_named_property(env, result, "data", pixels) != napi_ok || napi_set_named_property(env, result, "width", w) != napi_ok ||
      napi_set_named_property(env, result, "height", h) != napi_ok) {
    /* The pixels never reach the caller, who could not wipe them. */
    void *bytes = NULL;
    size_t byte_length = 0;
    if (napi_get_arraybuffer_info(env, ctx.array_buffer, &bytes, &byte_length) == napi_ok && bytes) secure_zero(bytes, byte_length);
    napi_throw_error(env, "PIXELS", "pixels: decodeJpeg could not build its result");
    return NULL;
  }
  return result;
}

/*
 * planarTensor(src: Uint8Array, srcWidth, srcHeight, out: Float32Array, inputWidth, inputHeight, width,
 * height, mean, std, bgr: boolean): toPlanarTensor into `out` (3 x inputHeight x inputWidth).
 */
static napi_value planar_tensor_fn(napi_env env, napi_callback_info info) {
  ARGS(11, "planarTensor(src, srcWidth, srcHeight, out, inputWidth, inputHeight, width, height, mean, std, bgr)");
  void *src, *out;
  size_t out_len;
  int32_t sw, sh, iw, ih, w, h;
  double mean, std;
  bool bgr;
  CHECK_ARG(rgb_arg(env, argv[0], argv[1], argv[2], &src, &sw, &sh));
  if (!typed(env, argv[3], napi_float32_array, &out, &out_len)) FAIL("out must be a Float32Array");
  if (!size_arg(env, argv[4], &iw) || !size_arg(env, argv[5], &ih) || !size_arg(env, argv[6], &w) || !size_arg(env, argv[7], &h))
    FAIL("sizes must be integers in 1..2^24");
  if (napi_get_value_double(env, argv[8], &mean) != napi_ok || napi_get_value_double(env, argv[9], &std) != napi_ok || !(std > 0) ||
      !isfinite(mean))
    FAIL("mean must be finite and std positive");
  if (napi_get_value_bool(env, argv[10], &bgr) != napi_ok) FAIL("bgr must be a boolean");
  if (out_len < (size_t)iw * ih * 3) FAIL("out is smaller than 3 x inputHeight x inputWidth");
  if (w > iw || h > ih) FAIL("width x height must fit the input");
  /* A direct caller could pair a tall thin source with a wide output: no multi-GB scratch for that. */
  if ((w != sw || h != sh) && (double)sh * w * 3 * sizeof(float) > MAX_SCRATCH_BYTES) FAIL("the resampling scratch would exceed 1 GiB");
  if (planar_tensor(src, sw, sh, out, iw, ih, w, h, mean, std, bgr) != 0) {
    napi_throw_error(env, "PIXELS", "planarTensor: out of memory");
    return NULL;
  }
  return NULL;
}

/* mirrorPlanar(tensor: Float32Array, inputWidth, width, height): in place, each of the 3 planes. */
static napi_value mirror_planar_fn(napi_env env, napi_callback_info info) {
  ARGS(4, "mirrorPlanar(tensor, inputWidth, width, height)");
  void *t;
  size_t len;
  int32_t iw, w, h;
  if (!typed(env, argv[0], napi_float32_array, &t, &len) || len % 3 != 0) FAIL("tensor must be a Float32Array of 3 planes");
  if (!size_arg(env, argv[1], &iw) || !size_arg(env, argv[2], &w) || !size_arg(env, argv[3], &h)) FAIL("sizes must be integers in 1..2^24");
  size_t plane = len / 3;
  if (w > iw || (size_t)iw * h > plane) FAIL("width x height must fit a plane");
  mirror_planar(t, (int64_t)plane, iw, w, h);
  return NULL;
}

/*
 * warpAffine(src: Uint8Array, srcWidth, srcHeight, toSource: number[6], taps, out: Uint8Array, width,
 * height): the crop into `out` (width x height x 3).
 */
static napi_value warp_affine_fn(napi_env env, napi_callback_info info) {
  ARGS(8, "warpAffine(src, srcWidth, srcHeight, toSource, taps, out, width, height)");
  void *src, *out;
  int32_t sw, sh, w, h;
  int64_t taps;
  double m[6];
  CHECK_ARG(rgb_arg(env, argv[0], argv[1], argv[2], &src, &sw, &sh));
  CHECK_ARG(rgb_arg(env, argv[5], argv[6], argv[7], &out, &w, &h));
  if (!integer_in(env, argv[4], 1, 64, &taps)) FAIL("taps must be an integer in 1..64");
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, argv[3], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[3], &n) != napi_ok || n != 6)
    FAIL("toSource must be an array of 6 numbers");
  for (uint32_t i = 0; i < 6; i++) {
    napi_value e;
    if (napi_get_element(env, argv[3], i, &e) != napi_ok || napi_get_value_double(env, e, &m[i]) != napi_ok || !isfinite(m[i]))
      FAIL("toSource must be an array of 6 finite numbers");
  }
  warp_affine(src, sw, sh, m, (int)taps, out, w, h);
  return NULL;
}

/* laplacianVariance(data: Uint8Array, width, height, innerFraction): number */
static napi_value laplacian_variance_fn(napi_env env, napi_callback_info info) {
  ARGS(4, "laplacianVariance(data, width, height, innerFraction)");
  void *data;
  int32_t w, h;
  double inner;
  CHECK_ARG(rgb_arg(env, argv[0], argv[1], argv[2], &data, &w, &h));
  if (napi_get_value_double(env, argv[3], &inner) != napi_ok || !(inner >= 0 && inner <= 1)) FAIL("innerFraction must be in 0..1");
  float *grey = malloc((size_t)w * h * sizeof(float));
  if (!grey) {
    napi_throw_error(env, "PIXELS", "laplacianVariance: out of memory");
    return NULL;
  }
  double v = laplacian_variance(data, w, h, inner, grey);
  free(grey);
  napi_value result;
  CHECK(napi_create_double(env, v, &result));
  return result;
}

static napi_value kernel_fn(napi_env env, napi_callback_info info) {
  napi_value v;
  CHECK(napi_create_string_utf8(env, pixel_kernel(), NAPI_AUTO_LENGTH, &v));
  return v;
}

/* usePixelKernel("scalar" | "auto"): for this process; returns the kernel in use. */
static napi_value use_kernel_fn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char kind[16] = {0};
  size_t len = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], kind, sizeof kind, &len) != napi_ok) FAIL("usePixelKernel(\"scalar\" | \"auto\")");
  if (strcmp(kind, "scalar") == 0) use_pixel_kernel(1);
  else if (strcmp(kind, "auto") == 0) use_pixel_kernel(0);
  else FAIL("usePixelKernel(\"scalar\" | \"auto\")");
  return kernel_fn(env, info);
}

static napi_value jpeg_lib_version(napi_env env, napi_callback_info info) {
  napi_value v;
  CHECK(napi_create_int32(env, JPEG_LIB_VERSION, &v));
  return v;
}

NAPI_MODULE_INIT() {
  pixel_kernels_init();
  napi_property_descriptor props[] = {
      {"decodeJpeg", NULL, decode_jpeg, NULL, NULL, NULL, napi_default, NULL},
      {"jpegLibVersion", NULL, jpeg_lib_version, NULL, NULL, NULL, napi_default, NULL},
      {"planarTensor", NULL, planar_tensor_fn, NULL, NULL, NULL, napi_default, NULL},
      {"mirrorPlanar", NULL, mirror_planar_fn, NULL, NULL, NULL, napi_default, NULL},
      {"warpAffine", NULL, warp_affine_fn, NULL, NULL, NULL, napi_default, NULL},
      {"laplacianVariance", NULL, laplacian_variance_fn, NULL, NULL, NULL, napi_default, NULL},
      {"pixelKernel", NULL, kernel_fn, NULL, NULL, NULL, napi_default, NULL},
      {"usePixelKernel", NULL, use_kernel_fn, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}

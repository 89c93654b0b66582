/* Node-API surface of the pixels addon. Plain C, no V8 ABI: one build serves every worker thread. */
#include <node_api.h>
#include <stdio.h>
#include <jpeglib.h>

#include "jpeg-decode.h"

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

/* The output lives in a JS ArrayBuffer from the start: no copy, and the caller wipes it like any other. */
static uint8_t *alloc_array_buffer(void *ctx, size_t size) {
  alloc_ctx *a = ctx;
  void *data = NULL;
  if (napi_create_arraybuffer(a->env, size, &data, &a->array_buffer) != napi_ok) return NULL;
  return data;
}

/* decodeJpeg(bytes: Uint8Array, scaleEighths: 1..8, maxPixels): { data, width, height } | null */
static napi_value decode_jpeg(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) FAIL("decodeJpeg(bytes, scaleEighths, maxPixels)");
  bool is = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  napi_value ab;
  size_t offset;
  if (napi_is_typedarray(env, argv[0], &is) != napi_ok || !is) FAIL("bytes must be a Uint8Array");
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &length, &data, &ab, &offset));
  if (type != napi_uint8_array) FAIL("bytes must be a Uint8Array");
  int32_t scale = 0;
  int64_t max_pixels = 0;
  if (napi_get_value_int32(env, argv[1], &scale) != napi_ok || scale < 1 || scale > 8) FAIL("scaleEighths must be an integer in 1..8");
  if (napi_get_value_int64(env, argv[2], &max_pixels) != napi_ok || max_pixels < 1) FAIL("maxPixels must be a positive integer");
  alloc_ctx ctx = {env, NULL};
  uint32_t width = 0, height = 0;
  napi_value result;
  if (jpeg_decode_rgb(data, length, scale, max_pixels, alloc_array_buffer, &ctx, &width, &height) != JPEG_OK) {
    CHECK(napi_get_null(env, &result));
    return result;
  }
  napi_value pixels, w, h;
  CHECK(napi_create_typedarray(env, napi_uint8_array, (size_t)width * height * 3, ctx.array_buffer, 0, &pixels));
  CHECK(napi_create_uint32(env, width, &w));
  CHECK(napi_create_uint32(env, height, &h));
  CHECK(napi_create_object(env, &result));
  CHECK(napi_set_named_property(env, result, "data", pixels));
  CHECK(napi_set_named_property(env, result, "width", w));
  CHECK(napi_set_named_property(env, result, "height", h));
  return result;
}

static napi_value jpeg_lib_version(napi_env env, napi_callback_info info) {
  napi_value v;
  CHECK(napi_create_int32(env, JPEG_LIB_VERSION, &v));
  return v;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"decodeJpeg", NULL, decode_jpeg, NULL, NULL, NULL, napi_default, NULL},
      {"jpegLibVersion", NULL, jpeg_lib_version, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}

/*
 * JPEG straight to RGB with libjpeg-turbo. sharp (libvips) decodes the same files with the same library,
 * but its per-call pipeline costs ~1.3 ms more than the decode itself on a 250x250 photo, and its
 * shrink-on-load of a large photo ran 1.5-2x slower than libjpeg's own DCT scaling. This path takes the
 * common case only (8-bit YCbCr/grey/RGB, upright, clean data); anything else goes back to sharp.
 */
#include "jpeg-decode.h"
#include "secure-zero.h"

#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <string.h>
#include <jpeglib.h>

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
} error_mgr;

static void on_error(j_common_ptr cinfo) { longjmp(((error_mgr *)cinfo->err)->jump, 1); }

/* A progressive JPEG may hold thousands of tiny scans (a known decoder DoS). MAX_JPEG_SCANS in
 * image.decoder.ts refuses such files before any decoder runs; this cap is the same limit, kept as a second line. */
#define MAX_SCANS 500

static void on_progress(j_common_ptr cinfo) {
  if (cinfo->is_decompressor && ((j_decompress_ptr)cinfo)->input_scan_number > MAX_SCANS) longjmp(((error_mgr *)cinfo->err)->jump, 1);
}

/* Warnings (level -1: corrupt or truncated data the decoder would paper over) end the fast path too. */
static void on_message(j_common_ptr cinfo, int level) {
  if (level < 0) longjmp(((error_mgr *)cinfo->err)->jump, 1);
}

static uint32_t read16(const uint8_t *p, int little) { return little ? (uint32_t)p[0] | (uint32_t)p[1] << 8 : (uint32_t)p[0] << 8 | p[1]; }

static uint32_t read32(const uint8_t *p, int little) {
  return little ? read16(p, 1) | read16(p + 2, 1) << 16 : read16(p, 0) << 16 | read16(p + 2, 0);
}

/* EXIF orientation in an APP1 payload: 1-8, 0 when it holds no EXIF or no orientation, -1 when malformed. */
static int exif_orientation(const uint8_t *payload, size_t length) {
  static const uint8_t magic[6] = {'E', 'x', 'i', 'f', 0, 0};
  if (length < sizeof magic || memcmp(payload, magic, sizeof magic) != 0) return 0; /* XMP or other APP1 */
  const uint8_t *tiff = payload + sizeof magic;
  size_t n = length - sizeof magic;
  if (n < 8) return -1;
  int little;
  if (tiff[0] == 'I' && tiff[1] == 'I') little = 1;
  else if (tiff[0] == 'M' && tiff[1] == 'M') little = 0;
  else return -1;
  if (read16(tiff + 2, little) != 42) return -1;
  uint32_t ifd = read32(tiff + 4, little);
  if (ifd > n || n - ifd < 2) return -1;
  uint32_t entries = read16(tiff + ifd, little);
  if ((n - ifd - 2) / 12 < entries) return -1;
  for (uint32_t i = 0; i < entries; i++) {
    const uint8_t *e = tiff + ifd + 2 + 12 * (size_t)i;
    if (read16(e, little) != 0x0112) continue;
    /* SHORT, count 1: the value sits in the entry's first two value bytes. */
    if (read16(e + 2, little) != 3 || read32(e + 4, little) != 1) return -1;
    uint32_t v = read16(e + 8, little);
    return v >= 1 && v <= 8 ? (int)v : -1;
  }
  return 0;
}

jpeg_status jpeg_decode_rgb(const uint8_t *bytes, size_t length, int scale_eighths, int64_t max_pixels, jpeg_alloc_fn alloc,
                            void *ctx, uint32_t *width, uint32_t *height) {
  struct jpeg_decompress_struct cinfo;
  error_mgr err;
  /* Set after setjmp and read after a longjmp: volatile. */
  uint8_t *volatile out = NULL;
  volatile size_t out_size = 0;
  struct jpeg_progress_mgr progress = {.progress_monitor = on_progress};
  if (scale_eighths < 1 || scale_eighths > 8 || length == 0) return JPEG_FALLBACK;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_message;
  /* setjmp before create (create itself can fail); destroy is safe on a struct create never reached. */
  cinfo.mem = NULL;
  if (setjmp(err.jump)) {
    if (out) secure_zero(out, out_size);
    jpeg_destroy_decompress(&cinfo);
    return JPEG_FALLBACK;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.progress = &progress;
  jpeg_mem_src(&cinfo, bytes, (unsigned long)length);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
  if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) longjmp(err.jump, 1);
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next) {
    int orientation = exif_orientation(m->data, m->data_length);
    if (orientation < 0 || orientation > 1) longjmp(err.jump, 1);
  }
  J_COLOR_SPACE cs = cinfo.jpeg_color_space;
  if (cinfo.data_precision != 8 || (cs != JCS_YCbCr && cs != JCS_GRAYSCALE && cs != JCS_RGB)) longjmp(err.jump, 1);
  /* Before any pixel memory exists: the same limit the header check applies for sharp. */
  if ((int64_t)cinfo.image_width * (int64_t)cinfo.image_height > max_pixels) longjmp(err.jump, 1);
  cinfo.out_color_space = JCS_RGB;
  cinfo.scale_num = (unsigned int)scale_eighths;
  cinfo.scale_denom = 8;
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_components != 3) longjmp(err.jump, 1);
  size_t stride = (size_t)cinfo.output_width * 3;
  uint8_t *buffer = alloc(ctx, stride * cinfo.output_height);
  if (!buffer) longjmp(err.jump, 1);
  out = buffer;
  out_size = stride * cinfo.output_height;
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW rows[16];
    JDIMENSION count = cinfo.output_height - cinfo.output_scanline;
    if (count > 16) count = 16;
    for (JDIMENSION i = 0; i < count; i++) rows[i] = buffer + (size_t)(cinfo.output_scanline + i) * stride;
    if (jpeg_read_scanlines(&cinfo, rows, count) == 0) longjmp(err.jump, 1);
  }
  /* Reads to the end marker: a file cut after its last scanline is still a truncated file. */
  jpeg_finish_decompress(&cinfo);
  *width = cinfo.output_width;
  *height = cinfo.output_height;
  jpeg_destroy_decompress(&cinfo);
  return JPEG_OK;
}

{
  "targets": [
    {
      "target_name": "pixels",
      "sources": ["src/jpeg-decode.c", "src/pixel-kernels.c", "src/addon.c"],
      "cflags": ["-O3", "-std=c11", "-ffp-contract=off", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-std=c11", "-ffp-contract=off"] },
      "libraries": ["-ljpeg"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}

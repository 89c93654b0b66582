{
  "targets": [
    {
      "target_name": "pixels",
      "sources": ["src/jpeg-decode.c", "src/pixel-kernels.c", "src/addon.c"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-clobbered"],
      "libraries": ["-ljpeg"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}

// NestJS 12 ships as ES modules only, and jest 30 on Node 20 cannot require() ESM (Node itself can).
// Jest therefore compiles those packages to CommonJS with swc; `import.meta.url` has no CommonJS
// form, so it is replaced by the equivalent file URL of the module first.
const { createTransformer } = require('@swc/jest');

const swc = createTransformer({
  jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } },
  module: { type: 'commonjs', ignoreDynamic: false },
  sourceMaps: false,
});

const rewrite = (src) => src.replace(/\bimport\.meta\.url\b/g, "(\"file://\" + __filename)");

module.exports = {
  process(src, filename, options) {
    return swc.process(rewrite(src), filename, options);
  },
  getCacheKey(src, filename, options) {
    return swc.getCacheKey(rewrite(src), filename, options) + ':esm-package-v2';
  },
};

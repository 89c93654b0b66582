// Runs TypeScript sources directly in Node (bench and eval scripts, face worker threads in dev and tests):
//   node --require ./infra/scripts/swc-register.cjs bench/engine.bench.ts
// Compiles each .ts file with @swc/core on require (same options as jest.config.js, decorator metadata
// included) and resolves the `@app/<lib>` aliases of tsconfig.base.json to libs/<lib>/src.
'use strict';
const Module = require('node:module');
const { resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const REPO_ROOT = resolve(__dirname, '../..');
const LIB_ALIAS = /^@app\/([a-z-]+)$/;

if (!require.extensions['.ts']) {
  const originalResolve = Module._resolveFilename;
  Module._resolveFilename = function resolveAppAlias(request, ...rest) {
    const alias = LIB_ALIAS.exec(request);
    const target = alias ? resolve(REPO_ROOT, 'libs', alias[1], 'src') : request;
    return originalResolve.call(this, target, ...rest);
  };

  require.extensions['.ts'] = function compileTypeScript(module, filename) {
    const source = require('node:fs').readFileSync(filename, 'utf8');
    const { code } = transformSync(source, {
      filename,
      jsc: {
        target: 'es2023',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    });
    module._compile(code, filename);
  };
}

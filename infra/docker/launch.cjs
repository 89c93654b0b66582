'use strict';
// Container entry point: runs the app that $APP names (gateway | indexer | vector-index) in this
// process, so signals reach it directly. Paths are relative to the image's /app.
const { join } = require('node:path');

const APPS = ['gateway', 'indexer', 'vector-index'];
const app = process.env.APP;
if (!APPS.includes(app)) {
  process.stderr.write(`APP must be one of ${APPS.join(', ')} (got ${JSON.stringify(app ?? '')})\n`);
  process.exit(64);
}
require(join(__dirname, '..', '..', 'dist', 'apps', app, 'src', 'main.js'));

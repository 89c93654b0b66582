'use strict';
// Docker HEALTHCHECK for the app that $APP names: GET /health/live on that app's own port.
// Node only (the slim image has no curl). Exit 0 healthy, 1 not.
const http = require('node:http');

const PORTS = {
  gateway: ['PORT', 3000],
  'vector-index': ['VECTOR_INDEX_PORT', 3001],
  indexer: ['INDEXER_PORT', 3002],
};
const [portVar, defaultPort] = PORTS[process.env.APP] ?? PORTS.gateway;
const port = Number(process.env[portVar] || defaultPort);
// A wildcard bind answers on loopback; a specific address only on itself.
const bind = (process.env.BIND_HOST || '').trim();
const host = bind === '' || bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;

const req = http.get({ host, port, path: '/health/live', timeout: 4000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => {
  process.stderr.write(`health check http://${host}:${port}/health/live failed: ${err.message}\n`);
  process.exit(1);
});

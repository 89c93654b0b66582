'use strict';
// The addon built by `npm ci` (node-gyp, see binding.gyp).
module.exports = require('./build/Release/bitscan.node');

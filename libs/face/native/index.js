'use strict';
// The addon built by `npm ci` (node-gyp, see binding.gyp; needs libjpeg-turbo's headers: libjpeg-dev).
module.exports = require('./build/Release/pixels.node');

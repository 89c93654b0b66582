import pino, { type DestinationStream, type Logger } from 'pino';
import { type LogLevel } from '@app/config';

/**
 * Defence in depth: code never logs credentials, images or embeddings, and these paths are
 * censored anyway should an object carrying one reach a log call.
 */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  'key',
  '*.key',
  'adminApiKey',
  '*.adminApiKey',
  'secret',
  '*.secret',
  'webhookSecret',
  '*.webhookSecret',
  'password',
  '*.password',
  'embedding',
  '*.embedding',
  'image',
  '*.image',
];

export function createLogger(opts: { level: LogLevel; app: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      base: { app: opts.app },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination({ sync: false }),
  );
}

import { Writable } from 'node:stream';
import { createLogger, NestPinoLogger } from '@app/observability';
import { type LogLevel } from '@app/config';

/** A real pino logger (same redaction as production) writing into memory, for log assertions. */
export function captureLogs(level: LogLevel = 'debug'): { logger: NestPinoLogger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const pino = createLogger({ level, app: 'test', destination: sink });
  return { logger: new NestPinoLogger(pino), text: () => chunks.join('') };
}

import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { createLogger, NestPinoLogger } from '@app/observability';
import { createGatewayApp } from './create-gateway-app';

async function main(): Promise<void> {
  const config = loadConfig();
  const pino = createLogger({ level: config.logLevel, app: 'gateway' });
  const app = await createGatewayApp(config, new NestPinoLogger(pino));
  await app.listen(config.http.port, config.http.host);
  const url = `http://${config.http.host}:${config.http.port}`;
  pino.info({ msg: 'gateway listening', url, docs: `${url}/docs`, operatorTokenFile: config.operatorTokenFile ?? null });
}

main().catch((err: unknown) => {
  // Config problems are listed for the operator; anything else is reported without secrets.
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `gateway failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

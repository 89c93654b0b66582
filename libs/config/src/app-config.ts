export type Environment = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** Index of tenants above the exact-scan size: 1-bit scan with exact re-rank, or an HNSW graph. */
export const LARGE_INDEX_KINDS = ['scan', 'hnsw'] as const;
export type LargeIndexKind = (typeof LARGE_INDEX_KINDS)[number];

/** The validated, resolved configuration every app receives once at boot. */
export interface AppConfig {
  readonly env: Environment;
  readonly isProduction: boolean;
  readonly logLevel: LogLevel;
  readonly dataDir: string;
  readonly http: { readonly host: string; readonly port: number; readonly jsonBodyLimitBytes: number };
  readonly vectorIndex: { readonly port: number; readonly urls: readonly string[]; readonly memoryBudgetBytes: number; readonly largeIndex: LargeIndexKind };
  readonly images: { readonly maxBytes: number; readonly maxPixels: number };
  readonly sources: {
    readonly allowHttp: boolean;
    /** CIDRs and host names that URL sources may reach although private or loopback. */
    readonly privateAllowlist: readonly string[];
    readonly fetchTimeoutMs: number;
    readonly maxRedirects: number;
  };
  readonly indexer: { readonly port: number; readonly concurrency: number; readonly lockDurationMs: number; readonly retentionSweepIntervalMs: number };
  readonly db: {
    /** Owner connection: runs migrations and manages the app role. Never used for requests. */
    readonly adminUrl: string;
    /** The role requests run as: no BYPASSRLS, not the table owner, so row-level security applies. */
    readonly appUser: string;
    readonly appPassword: string;
    readonly poolSize: number;
  };
  readonly redis: { readonly url: string; readonly prefix: string };
  readonly auth: { readonly operatorToken: string };
  readonly rateLimit: { readonly perMinute: number };
  readonly kms: {
    readonly provider: 'local' | 'aws-kms';
    /** Local provider's 32-byte master key. */
    readonly masterKey?: Buffer;
    readonly keyId?: string;
    readonly endpoint?: string;
  };
  readonly aws: { readonly region: string; readonly accessKeyId?: string; readonly secretAccessKey?: string };
  readonly storage: { readonly driver: 'local' | 's3'; readonly localDir: string; readonly s3Bucket?: string; readonly s3Endpoint?: string };
  readonly face: {
    readonly modelsDir: string;
    readonly modelsMirror?: string;
    readonly modelSet: string;
    readonly manifestPath?: string;
    readonly poolSize: number;
    /** Start the engine (load the models) when the app starts, not on its first image. */
    readonly preload: boolean;
  };
  /** Secret files created in the data folder during this boot (development only), for the start banner. */
  readonly generatedSecrets: readonly string[];
  readonly operatorTokenFile?: string;
}

/**
 * The role requests run as: `<database>_app`, created by the migrations with exactly the grants
 * requests need. Per database, because roles are server-wide and two installations may share a server.
 */
export function appDbRole(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, '')) || 'postgres';
  return `${name}_app`;
}

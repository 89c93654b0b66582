import { AppError, ErrorKind } from '@app/contracts';

export enum ConfigErrorCode {
  Invalid = 'config_invalid',
}

/** Raised at boot, listing every bad variable at once, so an operator fixes them in one go. */
export class ConfigError extends AppError<ConfigErrorCode> {
  readonly kind = ErrorKind.Internal;

  constructor(readonly problems: readonly string[]) {
    super(ConfigErrorCode.Invalid, `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

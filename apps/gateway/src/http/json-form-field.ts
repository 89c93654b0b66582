import { plainToInstance, Transform } from 'class-transformer';

/**
 * Multipart requests carry optional JSON values as strings (API.md). Parses such a string (a JSON
 * request's object passes through) and, given a class, makes it an instance so nested validation runs.
 * Reads the raw value from `obj`: class-transformer's own conversion of a string to a class loses it.
 */
export function JsonFormField(cls?: new () => object): PropertyDecorator {
  return Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
    let value = obj[key];
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    }
    return cls && value !== null && typeof value === 'object' && !Array.isArray(value) ? plainToInstance(cls, value) : value;
  });
}

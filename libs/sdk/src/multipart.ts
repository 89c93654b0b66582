import type { ReadUpload } from './image-input';

/**
 * A multipart body as the API reads it: image files under their field names, and every optional
 * field as a form field of the same name (strings as they are, numbers and booleans as text, objects
 * and arrays as JSON). Undefined and null fields are left out, as the
 * server's optional fields treat null as absent. Sent with Node's global FormData, which the
 * transport passes to fetch as is (fetch writes the boundary).
 */
export function multipartForm(files: Record<string, ReadUpload>, fields: Record<string, unknown> = {}): FormData {
  const form = new FormData();
  for (const [name, file] of Object.entries(files)) form.set(name, file.blob, file.filename);
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (name in files) throw new TypeError(`${name} is sent as a file already`);
    form.set(name, formValue(name, value));
  }
  return form;
}

function formValue(name: string, value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${name} must be a finite number`);
      return String(value);
    case 'boolean':
      return String(value);
    case 'object':
      return JSON.stringify(value);
    default:
      throw new TypeError(`${name} cannot be sent as a form field (${typeof value})`);
  }
}

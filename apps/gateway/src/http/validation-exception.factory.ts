import { type ValidationError } from 'class-validator';
import { type FieldError, GatewayError, GatewayErrorCode } from './gateway.error';

function collect(errors: ValidationError[], parent: string, out: FieldError[]): FieldError[] {
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints) out.push({ field, messages: Object.values(e.constraints) });
    if (e.children?.length) collect(e.children, field, out);
  }
  return out;
}

/** 400 naming every bad field and why (API.md), e.g. unknown fields and wrong types. */
export function validationExceptionFactory(errors: ValidationError[]): GatewayError {
  const fields = collect(errors, '', []);
  const summary = fields.map((f) => `${f.field}: ${f.messages.join('; ')}`).join(' | ');
  return new GatewayError(GatewayErrorCode.Validation, `Invalid request: ${summary}`, fields);
}

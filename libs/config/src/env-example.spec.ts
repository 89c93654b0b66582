import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { EnvSchema } from './env.schema';

// .env.example documents every variable of EnvSchema, commented out, with its default:
//   # NAME=default     (or `# NAME=` when the variable has no default)
// Any other comment line is prose and must not look like an assignment.
const EXAMPLE = resolve(__dirname, '../../../.env.example');
const ASSIGNMENT = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/;

function parseExample(text: string): Array<{ name: string; value: string; line: number }> {
  return text.split(/\r?\n/).flatMap((raw, i) => {
    const m = ASSIGNMENT.exec(raw.trim());
    return m ? [{ name: m[1], value: m[2].trim(), line: i + 1 }] : [];
  });
}

// Optional variables have no initialiser, so read the declared names from the decorators.
const schemaNames = (): string[] => [
  ...new Set(getMetadataStorage().getTargetValidationMetadatas(EnvSchema, '', true, false).map((m) => m.propertyName)),
];

describe('.env.example', () => {
  const entries = parseExample(readFileSync(EXAMPLE, 'utf8'));

  it('documents exactly the variables EnvSchema declares', () => {
    const documented = new Set(entries.map((e) => e.name));
    const declared = new Set(schemaNames());
    expect(declared.size).toBeGreaterThan(0);
    // Named lists, so a failure says which variable to add to or remove from .env.example.
    expect({ missingFromExample: [...declared].filter((n) => !documented.has(n)).sort() }).toEqual({ missingFromExample: [] });
    expect({ notInSchema: [...documented].filter((n) => !declared.has(n)).sort() }).toEqual({ notInSchema: [] });
  });

  it('documents each variable once', () => {
    const seen = new Map<string, number[]>();
    for (const e of entries) seen.set(e.name, [...(seen.get(e.name) ?? []), e.line]);
    expect([...seen].filter(([, lines]) => lines.length > 1)).toEqual([]);
  });

  it("shows each variable's schema default (empty where there is none)", () => {
    const defaults = new EnvSchema() as unknown as Record<string, unknown>;
    const wrong = entries
      .map((e) => ({ name: e.name, documented: e.value, schema: defaults[e.name] === undefined ? '' : String(defaults[e.name]) }))
      .filter((e) => e.documented !== e.schema);
    expect(wrong).toEqual([]);
  });

  it('has a one-line description above every variable', () => {
    const lines = readFileSync(EXAMPLE, 'utf8').split(/\r?\n/);
    const undocumented = entries.filter((e) => {
      // Walk up over adjacent variables (e.g. an access key id and its secret share one description).
      for (let i = e.line - 2; i >= 0; i -= 1) {
        const text = lines[i].trim();
        if (ASSIGNMENT.test(text)) continue;
        return !(text.startsWith('#') && text.replace(/^#\s*/, '').length > 0);
      }
      return true;
    });
    expect(undocumented.map((e) => e.name)).toEqual([]);
  });
});

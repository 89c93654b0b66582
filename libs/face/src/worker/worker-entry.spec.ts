import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveWorkerEntry } from './worker-entry';

describe('resolveWorkerEntry', () => {
  it('runs the compiled face.worker.js when it is there (dist/)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'face-dist-'));
    writeFileSync(join(dir, 'face.worker.js'), '');
    writeFileSync(join(dir, 'face.worker.ts'), '');
    expect(resolveWorkerEntry(dir)).toEqual({ script: join(dir, 'face.worker.js'), eval: false });
  });

  it('loads face.worker.ts through the swc require hook from the sources', () => {
    const entry = resolveWorkerEntry(__dirname);
    expect(entry.eval).toBe(true);
    expect(entry.script).toContain('swc-register.cjs');
    expect(entry.script).toContain(join(__dirname, 'face.worker.ts'));
  });

  it('fails clearly without a worker script', () => {
    expect(() => resolveWorkerEntry(mkdtempSync(join(tmpdir(), 'face-empty-')))).toThrow(/face worker script not found/);
  });
});

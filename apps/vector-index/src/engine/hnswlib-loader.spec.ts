import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CpuFeatures, readCpuFeatures } from './cpu-features';
import { chooseHnswlib } from './hnswlib-loader';

const cpu = (...flags: string[]): CpuFeatures => ({
  model: 'test',
  avx: flags.includes('avx'),
  avx2: flags.includes('avx2'),
  fma: flags.includes('fma'),
  avx512f: flags.includes('avx512f'),
  flags: new Set(flags),
});

describe('chooseHnswlib', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const manifest = (over: Record<string, unknown> = {}) => {
    writeFileSync(join(dir, 'addon.node'), '');
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        hnswlibVersion: '3.0.0',
        nodeAbi: process.versions.modules,
        platform: `${process.platform}-${process.arch}`,
        flags: ['-mavx2', '-mfma'],
        requiredCpuFlags: ['avx', 'avx2', 'fma'],
        ...over,
      }),
    );
  };

  it('uses the SIMD build when it matches this Node and the CPU has its flags', () => {
    manifest();
    expect(chooseHnswlib(dir, cpu('sse4_2', 'avx', 'avx2', 'fma'))).toMatchObject({ build: 'simd', modulePath: join(dir, 'addon.node') });
  });

  it('falls back to the portable build when the CPU lacks a flag, the ABI differs, or there is no build', () => {
    manifest({ requiredCpuFlags: ['avx', 'avx2', 'avx512f'] });
    expect(chooseHnswlib(dir, cpu('avx', 'avx2', 'fma'))).toMatchObject({ build: 'portable', modulePath: 'hnswlib-node', reason: expect.stringMatching(/avx512f/) });
    manifest({ nodeAbi: '1' });
    expect(chooseHnswlib(dir, cpu('avx', 'avx2', 'fma')).build).toBe('portable');
    manifest({ hnswlibVersion: '2.0.0' });
    expect(chooseHnswlib(dir, cpu('avx', 'avx2', 'fma')).build).toBe('portable');
    expect(chooseHnswlib(join(dir, 'nothing'), cpu('avx', 'avx2', 'fma')).reason).toMatch(/no SIMD build/);
  });

  it('honours a forced preference, failing loudly when SIMD is forced but unusable', () => {
    manifest();
    expect(chooseHnswlib(dir, cpu('avx', 'avx2', 'fma'), 'portable').build).toBe('portable');
    expect(() => chooseHnswlib(dir, cpu('avx'), 'simd')).toThrow(/cannot be used/);
  });

  it('reads the CPU flags of this machine', () => {
    const features = readCpuFeatures();
    expect(typeof features.avx2).toBe('boolean');
    expect(readCpuFeatures('/nonexistent').flags.size).toBe(0);
  });
});

import { readFileSync } from 'node:fs';

export interface CpuFeatures {
  readonly model: string;
  readonly avx: boolean;
  readonly avx2: boolean;
  readonly fma: boolean;
  readonly avx512f: boolean;
  /** Every flag /proc/cpuinfo lists for the first CPU (empty where there is no /proc/cpuinfo). */
  readonly flags: ReadonlySet<string>;
}

/** The CPU's SIMD capabilities from /proc/cpuinfo (Linux); all false elsewhere. */
export function readCpuFeatures(cpuinfoPath = '/proc/cpuinfo'): CpuFeatures {
  let text = '';
  try {
    text = readFileSync(cpuinfoPath, 'utf8');
  } catch {
    /* not Linux: report no flags, so only the portable build is used */
  }
  const flagsLine = /^flags\s*:\s*(.*)$/m.exec(text)?.[1] ?? '';
  const flags = new Set(flagsLine.split(/\s+/).filter(Boolean));
  const model = /^model name\s*:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? 'unknown';
  return { model, avx: flags.has('avx'), avx2: flags.has('avx2'), fma: flags.has('fma'), avx512f: flags.has('avx512f'), flags };
}

// Statistics, the printed table and the verdict lines shared by the benches. A verdict
// is always a ratio (or a difference) against a baseline measured in the same run.
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Linear-interpolated quantile, q in [0, 1]. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

/**
 * A 90 % interval for median(a) / median(b) where a[i] and b[i] come from the same
 * round: rounds are resampled with replacement (pairs kept together) and the ratio of
 * medians taken each time. Seeded, so the same samples always print the same interval.
 * It says how much of a ratio's distance from its target the rounds' spread explains.
 */
export function ratioInterval(a: readonly number[], b: readonly number[], resamples = 2000): { low: number; high: number } {
  const n = Math.min(a.length, b.length);
  if (n < 2) return { low: Number.NaN, high: Number.NaN };
  let seed = 0x9e3779b9;
  const random = () => {
    // xorshift32: deterministic and plenty for resampling indices.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const ratios: number[] = [];
  const x: number[] = new Array<number>(n);
  const y: number[] = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const pick = Math.floor(random() * n);
      x[i] = a[pick] as number;
      y[i] = b[pick] as number;
    }
    ratios.push(median(x) / median(y));
  }
  return { low: quantile(ratios, 0.05), high: quantile(ratios, 0.95) };
}

/** Fixed decimals for times: more of them below 1 ms, where the targets live. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return Math.abs(value) < 10 ? value.toFixed(3) : value.toFixed(1);
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(3)}×` : '—';
}

/** A plain text table with right-aligned numbers and a rule under the header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface Verdict {
  target: string;
  /** What was measured, as printed (e.g. "1.081×"). */
  measured: string;
  met: boolean;
}

export function verdictLine(verdict: Verdict): string {
  return `${verdict.met ? 'MET    ' : 'NOT MET'}  ${verdict.target}: measured ${verdict.measured}`;
}

/**
 * Order of `items` for round `round`: rotated, so no variant always runs first or last,
 * and reversed every other round, so no variant always follows the same one (a variant
 * that leaves background work behind, like IndexedDB writes, would tax its successor).
 */
export function turnOrder<T>(items: readonly T[], round: number): T[] {
  const shift = Math.floor(round / 2) % items.length;
  const rotated = [...items.slice(shift), ...items.slice(0, shift)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}

/** Progress on stderr, so stdout holds only the report. */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Usage lines of the flags every bench has. */
export const COMMON_USAGE = `  --json <file>         also write every sample and the summary as JSON
  --ref <commit>        build that commit (git archive) instead of the working tree
  --no-build            serve the checkout's dist/ as it is`;

/** Parses the flags every bench has (--json, --ref, --no-build) plus its own, with usage on error. */
export function benchArgs(usage: string, options: NonNullable<ParseArgsConfig['options']>): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({
      options: {
        json: { type: 'string' },
        'no-build': { type: 'boolean', default: false },
        ref: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        ...options,
      },
      strict: true,
    });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    return values as Record<string, string | boolean | undefined>;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
}

/** A positive integer flag, or the default. */
export function intFlag(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    console.error(`--${name} must be a positive integer, got ${String(value)}`);
    process.exit(2);
  }
  return parsed;
}

export async function writeJson(path: string | boolean | undefined, data: unknown): Promise<void> {
  if (typeof path !== 'string') return;
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
  progress(`wrote ${path}`);
}

/** Browser and machine, printed above every table: numbers mean nothing without them. */
export function environmentLine(env: { userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean }): string {
  const chrome = /Chrome\/([\d.]+)/.exec(env.userAgent)?.[1] ?? 'unknown';
  return `Chromium ${chrome} (headless), ${env.hardwareConcurrency} logical cores, crossOriginIsolated=${env.crossOriginIsolated}, node ${process.version}`;
}

/** The 1-minute load average, sampled before and after the measurements. */
export function sampleLoad(): number {
  return loadavg()[0] ?? 0;
}

/**
 * How busy the machine was: a worker design needs a second thread scheduled on every
 * call, so other processes hurt it more than the in-page baseline, and a busy run
 * says more about the neighbours than about the code.
 */
export function loadLine(before: number, after: number): string {
  const cores = cpus().length;
  // The bench itself keeps about one core busy; more than all of them means neighbours.
  const busy = Math.max(before, after) > cores;
  const text = `machine load (1-min avg) ${before.toFixed(1)} before, ${after.toFixed(1)} after, on ${cores} cores`;
  return busy ? `${text} — BUSY: other processes competed for the CPU; rerun on an idle machine before trusting the ratios` : text;
}

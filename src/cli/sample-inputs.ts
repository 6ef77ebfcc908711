/**
 * `publish --sample-inputs <rate>`: the flags of a model's opt-in to sampled raw
 * inputs, checked and turned into the manifest's signed `sampleInputs` field.
 */
import { MAX_SAMPLE_RECORD_BYTES, MAX_SAMPLE_WINDOW_BYTES, type SampleInputs } from '../registry/schema.js';
import { integerFlag, UsageError } from './args.js';

/** Raw input bytes of one record, and of one window, when the flags do not say. */
export const DEFAULT_SAMPLE_RECORD_BYTES = 8 * 1024;
export const DEFAULT_SAMPLE_WINDOW_BYTES = 64 * 1024;

export const SAMPLE_INPUTS_HELP = `  --sample-inputs <rate>
                       opt in to sampled raw inputs: this share of runs, a number in (0, 1], sends
                       its inputs as OTLP logs (only where the app's telemetry consent holds)
  --sample-max-bytes <bytes>
                       raw input bytes of one record at most (larger ones are counted, not sent);
                       default ${DEFAULT_SAMPLE_RECORD_BYTES}, at most ${MAX_SAMPLE_RECORD_BYTES}
  --sample-window-bytes <bytes>
                       raw input bytes sent per telemetry window at most; default
                       ${DEFAULT_SAMPLE_WINDOW_BYTES}, at most ${MAX_SAMPLE_WINDOW_BYTES}`;

/**
 * The manifest's `sampleInputs`, or undefined without `--sample-inputs`.
 *
 * @example
 * ```ts
 * sampleInputsFlags('0.01', undefined, undefined); // { rate: 0.01, maxRecordBytes: 8192, maxWindowBytes: 65536 }
 * ```
 */
export function sampleInputsFlags(rate: string | undefined, recordBytes: string | undefined, windowBytes: string | undefined): SampleInputs | undefined {
  if (rate === undefined) {
    if (recordBytes !== undefined || windowBytes !== undefined) {
      throw new UsageError('--sample-max-bytes and --sample-window-bytes need --sample-inputs <rate>');
    }
    return undefined;
  }
  const value = Number(rate);
  if (rate.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 1) {
    throw new UsageError(`--sample-inputs must be a number above 0 and at most 1, got '${rate}'`);
  }
  const maxRecordBytes = integerFlag(recordBytes, '--sample-max-bytes', 1, MAX_SAMPLE_RECORD_BYTES, DEFAULT_SAMPLE_RECORD_BYTES);
  const maxWindowBytes = integerFlag(windowBytes, '--sample-window-bytes', 1, MAX_SAMPLE_WINDOW_BYTES, Math.max(DEFAULT_SAMPLE_WINDOW_BYTES, maxRecordBytes));
  if (maxWindowBytes < maxRecordBytes) {
    throw new UsageError(`--sample-window-bytes (${maxWindowBytes}) must be at least --sample-max-bytes (${maxRecordBytes})`);
  }
  return { rate: value, maxRecordBytes, maxWindowBytes };
}

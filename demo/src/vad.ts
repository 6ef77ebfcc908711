// Silero VAD over audio: 512-sample frames at 16 kHz, the recurrent state carried from
// one frame to the next, as the model expects in a stream.
import type { Model, TensorLike } from './outpost.js';

export const VAD_FRAME = 512;
export const VAD_RATE = 16_000;
/** Speech probability above which a frame counts as speech (Silero's own default). */
export const SPEECH_THRESHOLD = 0.5;

/** Where the committed clip has speech, in seconds (from how it was assembled; see public/speech.txt). */
export const CLIP_SPEECH: ReadonlyArray<readonly [number, number]> = [
  [1.0, 3.106],
  [4.106, 5.375],
];

export class VadStream {
  #state: Float32Array = new Float32Array(2 * 128);
  readonly #sr = BigInt64Array.of(BigInt(VAD_RATE));

  constructor(private readonly model: Model) {}

  feeds(frame: Float32Array): Record<string, TensorLike> {
    return {
      input: { type: 'float32', data: frame, dims: [1, VAD_FRAME] },
      state: { type: 'float32', data: this.#state, dims: [2, 1, 128] },
      sr: { type: 'int64', data: this.#sr, dims: [] },
    };
  }

  /** Runs one frame and returns its speech probability. */
  async push(frame: Float32Array): Promise<number> {
    const out = await this.model.run(this.feeds(frame));
    const next = out.stateN?.data;
    if (next instanceof Float32Array) this.#state = next;
    const probability = out.output?.data;
    return probability instanceof Float32Array ? (probability[0] ?? 0) : 0;
  }
}

export function frames(samples: Float32Array): Float32Array[] {
  const result: Float32Array[] = [];
  for (let start = 0; start + VAD_FRAME <= samples.length; start += VAD_FRAME) {
    result.push(samples.slice(start, start + VAD_FRAME));
  }
  return result;
}

/** Runs of consecutive speech frames, as [start, end] seconds. */
export function speechSegments(times: readonly number[], probabilities: readonly number[]): Array<[number, number]> {
  const segments: Array<[number, number]> = [];
  const step = VAD_FRAME / VAD_RATE;
  let open: number | undefined;
  probabilities.forEach((p, i) => {
    const t = times[i] ?? i * step;
    if (p > SPEECH_THRESHOLD && open === undefined) open = t;
    if (p <= SPEECH_THRESHOLD && open !== undefined) {
      segments.push([open, t]);
      open = undefined;
    }
  });
  if (open !== undefined) segments.push([open, (times[times.length - 1] ?? 0) + step]);
  return segments;
}

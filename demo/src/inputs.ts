// The benchmark's inputs are the demo's real ones: frames of the speech clip (with the
// recurrent state carried along) and the rendered-text image.
import type { BenchInput } from './bench.js';
import { imageFeeds } from './ocr.js';
import type { TensorLike } from './outpost.js';
import { frames, VAD_FRAME, VAD_RATE } from './vad.js';

export function vadInput(clip: Float32Array): BenchInput {
  const chunks = frames(clip);
  const sr = BigInt64Array.of(BigInt(VAD_RATE));
  return {
    model: 'silero-vad',
    feeds: (i, previous) => {
      const state = previous?.stateN?.data;
      return {
        input: { type: 'float32', data: chunks[i % chunks.length] ?? new Float32Array(VAD_FRAME), dims: [1, VAD_FRAME] },
        state: { type: 'float32', data: state instanceof Float32Array ? state : new Float32Array(256), dims: [2, 1, 128] },
        sr: { type: 'int64', data: sr, dims: [] },
      } satisfies Record<string, TensorLike>;
    },
  };
}

export function ocrInput(canvas: HTMLCanvasElement): BenchInput {
  const feeds = imageFeeds(canvas);
  return { model: 'ppocr-det', feeds: () => feeds };
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectBoxes } from '../../../demo/src/ocr.js';
import { quantile, summarize } from '../../../demo/src/stats.js';
import { CLIP_SPEECH, speechSegments, VAD_FRAME, VAD_RATE } from '../../../demo/src/vad.js';
import { parseWav } from '../../../demo/src/wav.js';

describe('demo statistics', () => {
  it('interpolates percentiles and reports throughput from the mean', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    const s = summarize([4, 1, 3, 2, 10]);
    expect(s.median).toBe(3);
    expect(s.mean).toBe(4);
    expect(s.throughput).toBe(250);
  });
});

describe('demo speech segments', () => {
  it('joins consecutive frames above 0.5 into segments', () => {
    const step = VAD_FRAME / VAD_RATE;
    const p = [0.1, 0.9, 0.8, 0.2, 0.7];
    const t = p.map((_, i) => i * step);
    expect(speechSegments(t, p)).toEqual([
      [step, 3 * step],
      [4 * step, 5 * step],
    ]);
  });

  it('reads the committed clip: 16 kHz mono, and long enough to hold its speech', () => {
    const file = readFileSync('demo/public/speech.wav');
    const { sampleRate, samples } = parseWav(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
    expect(sampleRate).toBe(16_000);
    expect(samples.length / sampleRate).toBeGreaterThan(CLIP_SPEECH[CLIP_SPEECH.length - 1]![1]);
    const rms = (a: number, b: number) => {
      const part = samples.subarray(Math.round(a * sampleRate), Math.round(b * sampleRate));
      return Math.sqrt(part.reduce((sum, v) => sum + v * v, 0) / part.length);
    };
    expect(rms(0, 0.9)).toBeLessThan(0.001);
    for (const [a, b] of CLIP_SPEECH) expect(rms(a, b)).toBeGreaterThan(0.01);
  });
});

describe('demo text boxes', () => {
  it('finds one box per connected region above the threshold, grown back like DB unclip', () => {
    const w = 40;
    const map = new Float32Array(w * w);
    for (let y = 5; y < 10; y++) for (let x = 5; x < 25; x++) map[y * w + x] = 0.9;
    for (let y = 30; y < 32; y++) for (let x = 30; x < 32; x++) map[y * w + x] = 0.9; // too small: noise
    const boxes = detectBoxes(map, w, w);
    expect(boxes).toHaveLength(1);
    expect(boxes[0]!.x).toBeLessThan(5);
    expect(boxes[0]!.x + boxes[0]!.w).toBeGreaterThan(25);
  });
});

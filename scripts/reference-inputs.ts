// Example feeds for `publish --reference-inputs` (JSON Lines, DESIGN §4): what the demo's
// models see in the page, so the drift reference matches the demo's live traffic.
// Silero VAD gets frames of the committed speech clip; PP-OCR det gets images of dark
// strokes on white, the shape of rendered text (Node has no text rasteriser).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWav } from '../demo/src/wav.js';

const FRAME = 512;
const OCR = 320;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

function vadLines(clipPath: string): string[] {
  const file = readFileSync(clipPath);
  const { samples } = parseWav(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
  const lines: string[] = [];
  for (let start = 0; start + FRAME <= samples.length; start += FRAME * 4) {
    const frame = Array.from(samples.subarray(start, start + FRAME), (v) => Math.round(v * 1e5) / 1e5);
    lines.push(
      JSON.stringify({
        input: { type: 'float32', dims: [1, FRAME], data: frame },
        state: { type: 'float32', dims: [2, 1, 128], data: new Array(256).fill(0) },
        sr: { type: 'int64', dims: [], data: [16000] },
      }),
    );
  }
  return lines;
}

function ocrLines(count: number): string[] {
  const lines: string[] = [];
  for (let k = 0; k < count; k++) {
    const gray = new Float32Array(OCR * OCR).fill(1);
    // Rows of short vertical strokes: glyph-like ink at a text line's height.
    for (let line = 0; line < 3; line++) {
      const top = 50 + line * 90 + k * 7;
      for (let x = 24; x < 24 + 160 + line * 40; x += 9) {
        for (let y = top; y < top + 26; y++) for (let dx = 0; dx < 4; dx++) gray[y * OCR + x + dx] = 0.07;
      }
    }
    const data: number[] = [];
    for (let c = 0; c < 3; c++) for (const v of gray) data.push(Math.round(((v - MEAN[c]!) / STD[c]!) * 1e4) / 1e4);
    lines.push(JSON.stringify({ x: { type: 'float32', dims: [1, 3, OCR, OCR], data } }));
  }
  return lines;
}

/** Writes the files into `dir` and returns them per model name. */
export function writeReferenceInputs(dir: string, clipPath = join('demo', 'public', 'speech.wav')): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const files = { 'silero-vad': join(dir, 'silero-vad.jsonl'), 'ppocr-det': join(dir, 'ppocr-det.jsonl') };
  writeFileSync(files['silero-vad'], `${vadLines(clipPath).join('\n')}\n`);
  writeFileSync(files['ppocr-det'], `${ocrLines(2).join('\n')}\n`);
  return files;
}

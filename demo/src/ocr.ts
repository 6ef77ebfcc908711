// PP-OCR text detection on an image of rendered text: the model gives a text
// probability per pixel; thresholded and grouped into connected regions, each region's
// rectangle (grown back a little, as DB post-processing "unclips") is a detected box.
import type { TensorLike } from './outpost.js';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export const OCR_SIZE = 320;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const THRESHOLD = 0.3;
const MIN_AREA = 24;

const LINES = ['Outpost', 'signed models', 'run on device'];

/** Draws the demo's text and returns where each line's ink is. */
export function renderText(canvas: HTMLCanvasElement): Box[] {
  canvas.width = OCR_SIZE;
  canvas.height = OCR_SIZE;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, OCR_SIZE, OCR_SIZE);
  ctx.fillStyle = '#111111';
  ctx.textBaseline = 'alphabetic';
  const boxes: Box[] = [];
  const sizes = [44, 30, 30];
  let y = 80;
  LINES.forEach((line, i) => {
    const size = sizes[i] ?? 30;
    ctx.font = `bold ${size}px sans-serif`;
    const m = ctx.measureText(line);
    const x = 24;
    ctx.fillText(line, x, y);
    boxes.push({
      x: x - m.actualBoundingBoxLeft,
      y: y - m.actualBoundingBoxAscent,
      w: m.actualBoundingBoxLeft + m.actualBoundingBoxRight,
      h: m.actualBoundingBoxAscent + m.actualBoundingBoxDescent,
    });
    y += size + 60;
  });
  return boxes;
}

/** The canvas as PP-OCR's input: RGB planes, ImageNet-normalised, [1, 3, H, W]. */
export function imageFeeds(canvas: HTMLCanvasElement): Record<string, TensorLike> {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas');
  const { data } = ctx.getImageData(0, 0, OCR_SIZE, OCR_SIZE);
  const plane = OCR_SIZE * OCR_SIZE;
  const x = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) x[c * plane + i] = ((data[i * 4 + c] ?? 0) / 255 - MEAN[c]!) / STD[c]!;
  }
  return { x: { type: 'float32', data: x, dims: [1, 3, OCR_SIZE, OCR_SIZE] } };
}

/** Connected regions of the probability map above the threshold, as rectangles. */
export function detectBoxes(probabilities: Float32Array, width = OCR_SIZE, height = OCR_SIZE): Box[] {
  const seen = new Uint8Array(width * height);
  const boxes: Box[] = [];
  const stack: number[] = [];
  for (let start = 0; start < width * height; start++) {
    if (seen[start] || (probabilities[start] ?? 0) <= THRESHOLD) continue;
    let minX = width, minY = height, maxX = 0, maxY = 0, area = 0;
    stack.push(start);
    seen[start] = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      const px = i % width;
      const py = (i - px) / width;
      area++;
      minX = Math.min(minX, px); maxX = Math.max(maxX, px);
      minY = Math.min(minY, py); maxY = Math.max(maxY, py);
      for (const j of [i - 1, i + 1, i - width, i + width]) {
        if (j < 0 || j >= width * height || seen[j]) continue;
        if ((j === i - 1 || j === i + 1) && Math.floor(j / width) !== py) continue;
        if ((probabilities[j] ?? 0) <= THRESHOLD) continue;
        seen[j] = 1;
        stack.push(j);
      }
    }
    if (area < MIN_AREA) continue;
    const w = maxX - minX + 1;
    const h = maxY - minY + 1;
    // DB's unclip: the shrunk text kernel grows back by area * ratio / perimeter.
    const grow = (w * h * 1.5) / (2 * (w + h));
    boxes.push({
      x: Math.max(0, minX - grow),
      y: Math.max(0, minY - grow),
      w: Math.min(width, w + 2 * grow),
      h: Math.min(height, h + 2 * grow),
    });
  }
  return boxes;
}

export function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

export function drawBoxes(canvas: HTMLCanvasElement, boxes: readonly Box[]): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.strokeStyle = '#c0142b';
  ctx.lineWidth = 2;
  for (const box of boxes) ctx.strokeRect(box.x, box.y, box.w, box.h);
}

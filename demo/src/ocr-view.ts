// Text detection on the rendered image, boxes drawn over it.
import { $ } from './dom.js';
import { detectBoxes, drawBoxes, imageFeeds, overlap, renderText } from './ocr.js';
import type { Model, Runtime } from './outpost.js';

export function setupOcr(runtime: () => Runtime, canvas: HTMLCanvasElement, describe: (e: unknown) => string, onLoaded: () => void): void {
  const textBoxes = renderText(canvas);
  canvas.dataset.textBoxes = JSON.stringify(textBoxes);
  let model: Promise<Model> | undefined;
  const summary = $('ocr-summary');
  $('ocr-run').addEventListener('click', () => {
    void (async () => {
      const button = $<HTMLButtonElement>('ocr-run');
      button.disabled = true;
      summary.textContent = 'Detecting…';
      try {
        const det = await (model ??= runtime().load('ppocr-det').then((m) => {
          onLoaded();
          return m;
        }));
        renderText(canvas);
        const started = performance.now();
        const out = await det.run(imageFeeds(canvas));
        const elapsed = performance.now() - started;
        const map = Object.values(out)[0]?.data;
        if (!(map instanceof Float32Array)) throw new Error('ppocr-det returned no probability map');
        const boxes = detectBoxes(map);
        drawBoxes(canvas, boxes);
        canvas.dataset.boxes = JSON.stringify(boxes);
        const found = textBoxes.filter((t) => boxes.some((b) => overlap(t, b) > 0)).length;
        summary.textContent = `${boxes.length} text region(s) found in ${elapsed.toFixed(0)} ms on ${det.backend.toUpperCase()}; ${found} of ${textBoxes.length} drawn lines covered.`;
      } catch (error) {
        summary.textContent = describe(error);
      } finally {
        button.disabled = false;
      }
    })();
  });
}

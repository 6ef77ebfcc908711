// Speech probability over time, on the committed clip or the microphone.
import { probabilityChart } from './charts.js';
import { $ } from './dom.js';
import type { Model, Runtime } from './outpost.js';
import { frames, speechSegments, VAD_FRAME, VAD_RATE, VadStream } from './vad.js';

const STEP = VAD_FRAME / VAD_RATE;
const MIC_WINDOW_S = 10;

const describeSegments = (segments: Array<[number, number]>) =>
  segments.length === 0 ? 'no speech found' : `speech at ${segments.map(([a, b]) => `${a.toFixed(2)}–${b.toFixed(2)} s`).join(', ')}`;

export function setupVad(runtime: () => Runtime, clip: Float32Array, describe: (e: unknown) => string, onLoaded: () => void): void {
  let model: Promise<Model> | undefined;
  const vad = () =>
    (model ??= runtime().load('silero-vad').then((m) => {
      onLoaded();
      return m;
    }));
  const summary = $('vad-summary');
  const chart = $('vad-chart');

  $('vad-clip').addEventListener('click', () => {
    void (async () => {
      try {
        const stream = new VadStream(await vad());
        const times: number[] = [];
        const probabilities: number[] = [];
        for (const [i, frame] of frames(clip).entries()) {
          probabilities.push(await stream.push(frame));
          times.push(i * STEP);
        }
        const segments = speechSegments(times, probabilities);
        chart.dataset.segments = JSON.stringify(segments);
        probabilityChart(chart, times, probabilities, 'Chart: speech probability over the clip');
        summary.textContent = `Clip, ${times.length} frames of 32 ms on ${(await vad()).backend.toUpperCase()}: ${describeSegments(segments)} (probability above 0.5).`;
      } catch (error) {
        summary.textContent = describe(error);
      }
    })();
  });

  let stopMic: (() => Promise<void>) | undefined;
  const micButton = $<HTMLButtonElement>('vad-mic');
  const stopButton = $<HTMLButtonElement>('vad-mic-stop');
  micButton.addEventListener('click', () => {
    void (async () => {
      try {
        const media = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false } });
        const context = new AudioContext({ sampleRate: VAD_RATE });
        await context.audioWorklet.addModule(new URL('./mic-worklet.js', location.href));
        const node = new AudioWorkletNode(context, 'frame-collector');
        context.createMediaStreamSource(media).connect(node);
        const stream = new VadStream(await vad());
        const times: number[] = [];
        const probabilities: number[] = [];
        let frameIndex = 0;
        let queue = Promise.resolve();
        let plotted = 0;
        node.port.onmessage = (event: MessageEvent<Float32Array>) => {
          const frame = event.data;
          queue = queue.then(async () => {
            probabilities.push(await stream.push(frame));
            times.push(frameIndex++ * STEP);
            if (times.length > MIC_WINDOW_S / STEP) {
              times.shift();
              probabilities.shift();
            }
            if (performance.now() - plotted > 250) {
              plotted = performance.now();
              const segments = speechSegments(times, probabilities);
              chart.dataset.segments = JSON.stringify(segments);
              probabilityChart(chart, [...times], [...probabilities], 'Chart: speech probability from the microphone, last 10 seconds');
              summary.textContent = `Microphone, last ${Math.round(times.length * STEP)} s: ${describeSegments(segments)}.`;
            }
          });
        };
        stopMic = async () => {
          node.port.onmessage = null;
          for (const track of media.getTracks()) track.stop();
          await context.close();
        };
        micButton.disabled = true;
        stopButton.disabled = false;
        stopButton.focus();
      } catch (error) {
        summary.textContent = `Microphone: ${error instanceof DOMException ? error.message : describe(error)}`;
      }
    })();
  });
  stopButton.addEventListener('click', () => {
    void stopMic?.().finally(() => {
      stopMic = undefined;
      micButton.disabled = false;
      stopButton.disabled = true;
      micButton.focus();
    });
  });
}

/// <reference lib="webworker" />
// The worker entry: onnxruntime-web lives here, never on the page's main thread.
import { expose, transfer } from 'comlink';
import { detachableTensors } from '../tensor/convert.js';
import { installErrorTransferHandler } from './errors-handler.js';
import { Engine } from './engine.js';
import type { EngineApi } from './protocol.js';

installErrorTransferHandler();

// Each backend's onnxruntime-web build is its own chunk, fetched only when a session needs it.
const engine = new Engine({
  wasm: () => import('onnxruntime-web/wasm'),
  webgpu: () => import('onnxruntime-web'),
});

const api: EngineApi = {
  init: (config) => engine.init(config),
  createSession: (request) => engine.createSession(request),
  async run(sessionId, feeds) {
    const { tensors, transfer: buffers } = detachableTensors(await engine.run(sessionId, feeds));
    return transfer(tensors, buffers);
  },
  attachChannel: async (sessionId, buffer) => engine.attachChannel(sessionId, buffer),
  async takeOverflow(sessionId) {
    const { tensors, transfer: buffers } = detachableTensors(engine.takeOverflow(sessionId));
    return transfer(tensors, buffers);
  },
  release: (sessionId) => engine.release(sessionId),
  async simulate(fault) {
    if (fault === 'device-lost') return engine.loseDevice();
    engine.crashOnNextRun();
  },
};

expose(api);

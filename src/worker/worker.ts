/// <reference lib="webworker" />
// The worker entry: onnxruntime-web lives here, never on the page's main thread.
import { expose, transfer } from 'comlink';
import { detachableTensors } from '../tensor/convert.js';
import { installErrorTransferHandler } from './errors-handler.js';
import { ChunkStore } from './chunk-store.js';
import { Engine } from './engine.js';
import type { EngineApi } from './protocol.js';

installErrorTransferHandler();

// Each backend's onnxruntime-web build is its own chunk, fetched only when a session needs it.
const engine = new Engine({
  wasm: () => import('onnxruntime-web/wasm'),
  webgpu: () => import('onnxruntime-web'),
});

/**
 * Every call but init counts as taken up on the bell (channel/layout.ts), matching the
 * page's ring for it, so a session's loop may block for its next run only while no
 * message is waiting.
 */
function counted<A extends unknown[], R>(call: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    engine.answerMessage();
    return call(...args);
  };
}

// Used only when this worker was started as a chunk writer (runtime/chunk-writer.ts).
const chunks = new ChunkStore();

const api: EngineApi = {
  init: (config) => engine.init(config),
  stage: counted((source) => engine.stage(source)),
  unstage: counted(async (staged) => engine.unstage(staged)),
  createSession: counted((request) => engine.createSession(request)),
  run: counted(async (sessionId, feeds) => {
    const { tensors, transfer: buffers } = detachableTensors(await engine.run(sessionId, feeds));
    return transfer(tensors, buffers);
  }),
  attachChannel: counted(async (sessionId, buffer) => engine.attachChannel(sessionId, buffer)),
  takeOverflow: counted(async (sessionId) => {
    const { tensors, transfer: buffers } = detachableTensors(engine.takeOverflow(sessionId));
    return transfer(tensors, buffers);
  }),
  release: counted((sessionId) => engine.release(sessionId)),
  drainTelemetry: counted(async (recording, endWindow) => engine.telemetry.drain(recording, endWindow)),
  simulate: counted(async (fault) => {
    if (fault === 'device-lost') return engine.loseDevice();
    engine.crashOnNextRun();
  }),
  putChunk: (dbName, chunk) => chunks.put(dbName, chunk),
};

expose(api);

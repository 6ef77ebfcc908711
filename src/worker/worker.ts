/// <reference lib="webworker" />
// The worker entry: onnxruntime-web lives here, never on the page's main thread.
import { expose, transfer } from 'comlink';
import * as ort from 'onnxruntime-web';
import { installErrorTransferHandler } from './errors-handler.js';
import { Engine } from './engine.js';
import type { EngineApi } from './protocol.js';

installErrorTransferHandler();

const engine = new Engine(ort);

const api: EngineApi = {
  init: (config) => engine.init(config),
  createSession: (request) => engine.createSession(request),
  async run(sessionId, feeds) {
    const { outputs, transfer: buffers } = await engine.run(sessionId, feeds);
    return transfer(outputs, buffers);
  },
  release: (sessionId) => engine.release(sessionId),
};

expose(api);

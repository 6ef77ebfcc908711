/**
 * A one-node ONNX model (y = Identity(x), float32 [1], opset 17; made with
 * src/onnx/build.ts). Creating a session from it makes onnxruntime fetch and compile
 * its WebAssembly while the main thread is still downloading or reading the real model,
 * so the two costs overlap instead of adding up.
 */
export const WARMUP_MODEL = new Uint8Array([
  8, 8, 18, 7, 111, 117, 116, 112, 111, 115, 116, 26, 1, 48, 66, 4, 10, 0, 16, 17, 58, 70, 10, 28, 10, 1, 120, 18, 1, 121, 26, 10, 73,
  100, 101, 110, 116, 105, 116, 121, 95, 48, 34, 8, 73, 100, 101, 110, 116, 105, 116, 121, 18, 4, 109, 97, 105, 110, 90, 15, 10, 1, 120,
  18, 10, 10, 8, 8, 1, 18, 4, 10, 2, 8, 1, 98, 15, 10, 1, 121, 18, 10, 10, 8, 8, 1, 18, 4, 10, 2, 8, 1,
]);

// onnxruntime-node (CPU) as the reference: same model, same feeds, same outputs.
import * as ort from 'onnxruntime-node';
import type { NodeTensor } from './tensors.js';

export async function oracleRun(modelPath: string, feedSets: Array<Record<string, NodeTensor>>): Promise<Array<Record<string, NodeTensor>>> {
  const session = await ort.InferenceSession.create(modelPath);
  try {
    const results: Array<Record<string, NodeTensor>> = [];
    for (const feeds of feedSets) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const out = await session.run(ortFeeds);
      results.push(
        Object.fromEntries(
          Object.entries(out).map(([name, t]) => [name, { type: t.type as NodeTensor['type'], dims: [...t.dims], data: t.data as NodeTensor['data'] }]),
        ),
      );
    }
    return results;
  } finally {
    await session.release();
  }
}

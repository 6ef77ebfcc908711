/**
 * `publish --reference-inputs`: the default drift features (src/drift) of example
 * feeds and of the model's outputs on them, run on the CPU with onnxruntime-node.
 */
import { z } from 'zod';
import { FeatureSamples, runFeatures, type FeatureTensor } from '../drift/features.js';
import { CliError } from './args.js';

const MAX_EXAMPLES = 100_000;

const tensorSchema = z.object({
  type: z.enum(['float32', 'float64', 'int32', 'int64', 'uint8', 'int8', 'bool']),
  dims: z.array(z.number().int().min(0)),
  data: z.array(z.union([z.number(), z.boolean(), z.string().regex(/^-?\d+$/)])),
});
const exampleSchema = z.record(z.string().min(1), tensorSchema);

type ExampleTensor = z.infer<typeof tensorSchema>;

function typedData(tensor: ExampleTensor): ArrayBufferView {
  const { data } = tensor;
  switch (tensor.type) {
    case 'float32':
      return Float32Array.from(data, Number);
    case 'float64':
      return Float64Array.from(data, Number);
    case 'int32':
      return Int32Array.from(data, Number);
    case 'int64':
      return BigInt64Array.from(data, (v) => BigInt(typeof v === 'boolean' ? Number(v) : v));
    case 'uint8':
      return Uint8Array.from(data, Number);
    case 'int8':
      return Int8Array.from(data, Number);
    case 'bool':
      return Uint8Array.from(data, (v) => (v === true || Number(v) !== 0 ? 1 : 0));
  }
}

/** Parses the JSON Lines file: one example per non-empty line (format binding, DESIGN §4). */
export function parseReferenceInputs(text: string, path: string): Array<Record<string, FeatureTensor>> {
  const examples: Array<Record<string, FeatureTensor>> = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    if (examples.length >= MAX_EXAMPLES) throw new CliError('USAGE', `${path}: more than ${MAX_EXAMPLES} examples`);
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new CliError('USAGE', `${path}:${index + 1}: not JSON`);
    }
    const parsed = exampleSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError('USAGE', `${path}:${index + 1}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}`);
    }
    const example: Record<string, FeatureTensor> = {};
    for (const [name, tensor] of Object.entries(parsed.data)) {
      const size = tensor.dims.reduce((a, b) => a * b, 1);
      if (size !== tensor.data.length) throw new CliError('USAGE', `${path}:${index + 1}: ${name} has ${tensor.data.length} values for dims [${tensor.dims.join(',')}]`);
      example[name] = { type: tensor.type, dims: tensor.dims, data: typedData(tensor) };
    }
    examples.push(example);
  });
  if (examples.length === 0) throw new CliError('USAGE', `${path}: no examples`);
  return examples;
}

type OrtNode = typeof import('onnxruntime-node');

async function loadOnnxruntimeNode(): Promise<OrtNode> {
  try {
    return await import('onnxruntime-node');
  } catch {
    throw new CliError(
      'USAGE',
      '--reference-inputs runs the model on the CPU with onnxruntime-node, which is not installed: npm install --save-dev onnxruntime-node',
    );
  }
}

/**
 * Feature samples (`{ features: { name: number[] } }`) of every example's inputs and
 * of the model's outputs on them, ready for `computeReference`.
 *
 * @example
 * ```ts
 * const samples = await referenceInputSamples(modelBytes, await readFile('feeds.jsonl', 'utf8'), 'feeds.jsonl');
 * ```
 */
export async function referenceInputSamples(model: Uint8Array, text: string, path: string): Promise<{ features: Record<string, number[]> }> {
  const examples = parseReferenceInputs(text, path);
  const ort = await loadOnnxruntimeNode();
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  const samples = new FeatureSamples();
  try {
    for (const [index, feeds] of examples.entries()) {
      const ortFeeds: Record<string, InstanceType<OrtNode['Tensor']>> = {};
      for (const [name, tensor] of Object.entries(feeds)) {
        ortFeeds[name] = new ort.Tensor(tensor.type as 'float32', tensor.data as Float32Array, tensor.dims);
      }
      let results: Record<string, InstanceType<OrtNode['Tensor']>>;
      try {
        results = await session.run(ortFeeds);
      } catch (cause) {
        throw new CliError('USAGE', `${path}: example ${index + 1} does not run: ${(cause as Error).message.split('\n')[0]}`);
      }
      const outputs: Record<string, FeatureTensor> = {};
      for (const [name, tensor] of Object.entries(results)) {
        outputs[name] = { type: tensor.type, dims: [...tensor.dims], data: tensor.data as ArrayBufferView };
      }
      runFeatures(feeds, outputs, samples);
    }
  } finally {
    await session.release();
  }
  return samples.toSamples();
}

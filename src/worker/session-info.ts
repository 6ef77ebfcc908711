import type * as Ort from 'onnxruntime-web';
import type { TensorSpec } from '../tensor/types.js';

/** The first line of an error's message, capped: what a backend attempt reports as its reason. */
export function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 500) ?? 'unknown';
}

/** A session's inputs or outputs as the page sees them, unknown dims named by position. */
export function specsOf(metadata: readonly Ort.InferenceSession.ValueMetadata[]): TensorSpec[] {
  return metadata.map((value) => {
    if (!value.isTensor) return { name: value.name, type: 'non-tensor', dims: [] };
    return {
      name: value.name,
      type: value.type,
      // Unknown dims arrive as '' or as -1 read unsigned (4294967295): both are free.
      dims: value.shape.map((dim, index) =>
        typeof dim === 'number' ? (dim >= 0 && dim < 0x7fffffff ? dim : `dim_${index}`) : dim === '' ? `dim_${index}` : dim,
      ),
    };
  });
}

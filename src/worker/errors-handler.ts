import { transferHandlers } from 'comlink';
import { deserializeError, serializeError, type SerializedError } from '../errors.js';

interface ThrownValue {
  value: unknown;
}

interface SerializedThrow {
  isError: boolean;
  value: unknown;
}

/**
 * Comlink's own handler for thrown values keeps only name, message and stack, so an
 * OutpostError would arrive as a plain Error without `code` or `details`. Both sides
 * install this one instead. Idempotent.
 */
export function installErrorTransferHandler(): void {
  const builtIn = transferHandlers.get('throw');
  if (!builtIn || (builtIn as { outpost?: true }).outpost) return;
  const handler = {
    outpost: true as const,
    canHandle: builtIn.canHandle,
    serialize(thrown: unknown): [SerializedThrow, Transferable[]] {
      const { value } = thrown as ThrownValue;
      if (value instanceof Error) return [{ isError: true, value: serializeError(value) }, []];
      return [{ isError: false, value }, []];
    },
    deserialize(serialized: unknown): never {
      const { isError, value } = serialized as SerializedThrow;
      throw isError ? deserializeError(value as SerializedError) : value;
    },
  };
  transferHandlers.set('throw', handler);
}

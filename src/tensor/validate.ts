import { OutpostError } from '../errors.js';
import { TYPED_ARRAY_FOR, typedDataOf } from './convert.js';
import type { TensorLike, TensorSpec, TensorType } from './types.js';

/** The machine-readable `details.reason` of an `INVALID_INPUT` error. */
export type InvalidInputReason =
  | 'feeds-not-object'
  | 'missing-input'
  | 'unknown-input'
  | 'invalid-tensor'
  | 'unsupported-type'
  | 'dtype-mismatch'
  | 'invalid-data'
  | 'data-type-mismatch'
  | 'invalid-dims'
  | 'rank-mismatch'
  | 'dim-mismatch'
  | 'symbolic-dim-conflict'
  | 'length-mismatch';

interface ElementType {
  readonly bytes: number;
  /**
   * Typed-array class names accepted as they are. Matching on the class name rather
   * than `instanceof` also accepts arrays made in another realm (an iframe, a worker).
   */
  readonly classes: readonly string[];
}

function elementType(type: TensorType, ...classes: string[]): [string, ElementType] {
  return [type, { bytes: TYPED_ARRAY_FOR[type].BYTES_PER_ELEMENT, classes: [...classes, 'DataView'] }];
}

// A Map, not an object literal, so a spec or tensor type like 'constructor' finds nothing.
const ELEMENT_TYPES: ReadonlyMap<string, ElementType> = new Map([
  elementType('float32', 'Float32Array'),
  // Float16Array exists only in recent engines; Uint16Array carries the same bits.
  elementType('float16', 'Uint16Array', 'Float16Array'),
  elementType('int32', 'Int32Array'),
  elementType('int64', 'BigInt64Array'),
  elementType('uint8', 'Uint8Array'),
  elementType('int8', 'Int8Array'),
  elementType('bool', 'Uint8Array'),
]);

interface Binding {
  readonly size: number;
  readonly input: string;
  readonly axis: number;
}

/**
 * Checks `feeds` against a model's `inputs` on the caller's thread, so a wrong feed
 * fails with a precise `INVALID_INPUT` before onnxruntime sees it (whose own errors
 * are opaque text). Every input is required; a named symbolic dim (e.g. `'batch'`)
 * must take the same size wherever it appears, while `'?'`, `''`, `dim_*` and `unk_*`
 * are independent wildcards. The checks are hand-written rather than a zod schema
 * because they run on every inference call and must stay cheap.
 *
 * Returns the feeds ready for the worker: the same object when every tensor already
 * uses the typed array its type calls for, else a copy in which DataViews (and
 * Float16Arrays, arrays from other realms) are re-viewed without copying data.
 *
 * @throws {OutpostError} `INVALID_INPUT` with `details.model`, `details.input` and
 *   `details.reason` (an {@link InvalidInputReason}) plus fields for that reason.
 *
 * @example
 * ```ts
 * const feeds = validateFeeds(
 *   { input: { type: 'float32', data: new Float32Array(512), dims: [1, 512] } },
 *   [{ name: 'input', type: 'float32', dims: ['batch', 512] }],
 *   'vad@1.0.0',
 * );
 * ```
 */
export function validateFeeds(
  feeds: unknown,
  inputs: readonly TensorSpec[],
  label: string,
): Record<string, TensorLike> {
  if (!isPlainObject(feeds)) {
    throw invalid(label, '', 'feeds-not-object', `feeds must be a plain object of tensors keyed by input name, got ${kindOf(feeds)}`, {
      actual: kindOf(feeds),
    });
  }
  checkNames(feeds, inputs, label);

  let bindings: Map<string, Binding> | undefined;
  let normalised: Record<string, TensorLike> | undefined;
  for (const spec of inputs) {
    const name = spec.name;
    const tensor = feeds[name];
    if (typeof tensor !== 'object' || tensor === null) {
      throw invalid(label, name, 'invalid-tensor', `must be a tensor { type, data, dims }, got ${kindOf(tensor)}`, {
        actual: kindOf(tensor),
      });
    }
    const { type, data, dims } = tensor as { type?: unknown; data?: unknown; dims?: unknown };

    if (typeof type !== 'string') {
      throw invalid(label, name, 'invalid-tensor', `type must be a string, got ${kindOf(type)}`, { actual: kindOf(type) });
    }
    const element = ELEMENT_TYPES.get(type);
    if (element === undefined) {
      throw invalid(label, name, 'unsupported-type', `type ${quote(type)} is not one of ${[...ELEMENT_TYPES.keys()].join(', ')}`, {
        expected: [...ELEMENT_TYPES.keys()],
        actual: type,
      });
    }
    if (type !== spec.type) {
      throw invalid(label, name, 'dtype-mismatch', `expects type ${spec.type}, got ${type}`, {
        expected: spec.type,
        actual: type,
      });
    }

    if (!ArrayBuffer.isView(data)) {
      throw invalid(label, name, 'invalid-data', `data must be a typed array or DataView, got ${kindOf(data)}`, {
        actual: kindOf(data),
      });
    }
    const expectedClass = TYPED_ARRAY_FOR[type as TensorType];
    const exact = data instanceof expectedClass;
    if (!exact && !element.classes.includes(classOf(data))) {
      throw invalid(label, name, 'data-type-mismatch', `${type} data must be a ${element.classes.join(' or ')}, got ${classOf(data)}`, {
        expected: element.classes,
        actual: classOf(data),
      });
    }

    if (!Array.isArray(dims)) {
      throw invalid(label, name, 'invalid-dims', `dims must be an array of non-negative integers, got ${kindOf(dims)}`, {
        actual: kindOf(dims),
      });
    }
    let elements = 1;
    for (let axis = 0; axis < dims.length; axis++) {
      const size: unknown = dims[axis];
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
        throw invalid(label, name, 'invalid-dims', `dims[${axis}] must be a non-negative integer, got ${String(size)}`, {
          axis,
          actual: typeof size === 'number' ? size : kindOf(size),
        });
      }
      elements *= size;
    }

    if (spec.unknownRank !== true) {
      if (dims.length !== spec.dims.length) {
        throw invalid(label, name, 'rank-mismatch', `expects rank ${spec.dims.length} ${shape(spec.dims)}, got rank ${dims.length} ${shape(dims)}`, {
          expected: spec.dims.length,
          actual: dims.length,
          expectedDims: spec.dims,
          actualDims: [...(dims as number[])],
        });
      }
      for (let axis = 0; axis < dims.length; axis++) {
        const size = dims[axis] as number;
        const want = spec.dims[axis];
        if (typeof want === 'number') {
          // Some exporters write -1 for a dynamic dim; only real sizes are enforced.
          if (want >= 0 && size !== want) {
            throw invalid(label, name, 'dim-mismatch', `dims[${axis}] must be ${want}, got ${size}`, {
              axis,
              expected: want,
              actual: size,
            });
          }
        } else if (want !== undefined && !isWildcard(want)) {
          bindings ??= new Map();
          const bound = bindings.get(want);
          if (bound === undefined) {
            bindings.set(want, { size, input: name, axis });
          } else if (bound.size !== size) {
            throw invalid(
              label,
              name,
              'symbolic-dim-conflict',
              `dims[${axis}] is ${quote(want)} = ${size}, but ${quote(bound.input)} dims[${bound.axis}] set it to ${bound.size}`,
              { axis, dim: want, expected: bound.size, actual: size, boundBy: { input: bound.input, axis: bound.axis } },
            );
          }
        }
      }
    }

    const actualElements = data.byteLength / element.bytes;
    if (actualElements !== elements) {
      throw invalid(
        label,
        name,
        'length-mismatch',
        `dims ${shape(dims)} need ${elements} elements (${elements * element.bytes} bytes), data has ${data.byteLength} bytes`,
        {
          expected: elements,
          actual: actualElements,
          expectedBytes: elements * element.bytes,
          actualBytes: data.byteLength,
        },
      );
    }

    if (!exact) {
      const typed: TensorLike = { type: type as TensorType, data, dims: dims as number[] };
      normalised ??= { ...(feeds as Record<string, TensorLike>) };
      normalised[name] = { ...typed, data: typedDataOf(typed) };
    }
  }
  return normalised ?? (feeds as Record<string, TensorLike>);
}

/** Every input present, nothing else: reported before any tensor is looked at. */
function checkNames(feeds: Record<string, unknown>, inputs: readonly TensorSpec[], label: string): void {
  let missing: string[] | undefined;
  for (const spec of inputs) {
    if (!Object.hasOwn(feeds, spec.name) || feeds[spec.name] === undefined) (missing ??= []).push(spec.name);
  }
  if (missing !== undefined) {
    const first = missing[0] ?? '';
    const message = missing.length === 1 ? 'is missing' : `is missing (and ${missing.slice(1).map(quote).join(', ')})`;
    throw invalid(label, first, 'missing-input', `${message}; the model needs ${inputs.map((s) => quote(s.name)).join(', ')}`, {
      missing,
      expected: inputs.map((s) => s.name),
    });
  }
  // With every input present, any further own key is one the model does not know.
  const keys = Object.keys(feeds);
  if (keys.length === inputs.length) return;
  const known = inputs.map((s) => s.name);
  const unknown = keys.filter((key) => !known.includes(key));
  const first = unknown[0];
  if (first === undefined) return; // only possible when the spec lists a name twice
  throw invalid(label, first, 'unknown-input', `is not an input of this model; known inputs: ${known.map(quote).join(', ')}`, {
    unknown,
    known,
  });
}

function invalid(
  label: string,
  input: string,
  reason: InvalidInputReason,
  problem: string,
  fields: Record<string, unknown>,
): OutpostError {
  const subject = reason === 'feeds-not-object' ? `${label}:` : `${label}: input ${quote(input)}`;
  return new OutpostError('INVALID_INPUT', `${subject} ${problem}`, {
    details: { model: label, input, reason, ...fields },
  });
}

function isWildcard(dim: string): boolean {
  return dim === '' || dim === '?' || dim.startsWith('dim_') || dim.startsWith('unk_');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  // Object.prototype of any realm has a null prototype itself.
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function classOf(view: ArrayBufferView): string {
  const tag: unknown = (view as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  return typeof tag === 'string' ? tag : 'ArrayBufferView';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value !== 'object') return typeof value;
  if (ArrayBuffer.isView(value)) return classOf(value);
  const ctor: unknown = Object.getPrototypeOf(value)?.constructor;
  return typeof ctor === 'function' && ctor.name !== '' && ctor !== Object ? ctor.name : 'object';
}

function shape(dims: readonly unknown[]): string {
  return `[${dims.map((d) => (typeof d === 'string' ? `'${d}'` : String(d))).join(', ')}]`;
}

/** JSON quoting keeps the message on one line whatever the name contains. */
function quote(name: string): string {
  return JSON.stringify(name);
}

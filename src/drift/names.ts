/**
 * Drift feature names and metric attributes: one vocabulary for the CLI (which signs
 * references into manifests), the worker (which bins live runs into the reference
 * edges), the collector (which stores `outpost.drift.feature` histograms) and the
 * operator view (which scores them against the reference). docs/telemetry.md lists them.
 */

/** Which side of the model a tensor is on; the first segment of a feature name. */
export type TensorSide = 'input' | 'output';

/** The statistic a feature measures; the last segment of a feature name. */
export type FeatureKind = 'value' | 'mean' | 'std' | 'top_class' | 'top_prob';

/** Every kind, in the order features are emitted for one tensor. */
export const FEATURE_KINDS: readonly FeatureKind[] = ['value', 'mean', 'std', 'top_class', 'top_prob'];

/**
 * At most this many elements of one tensor count towards its `value` feature per run:
 * a larger tensor contributes every `ceil(n / VALUE_SAMPLE_LIMIT)`-th element, starting
 * at element 0 (a fixed stride, so the CLI and the worker sample alike).
 */
export const VALUE_SAMPLE_LIMIT = 1024;

/**
 * A tensor of more than this many elements is read through a fixed-stride sample of
 * every `ceil(n / MOMENT_SAMPLE_LIMIT)`-th element, from element 0: its `mean`, `std`
 * and `value` features are those of the sample (the `value` stride then applies to the
 * sample). It bounds what a run of a large model costs: an image model's 1.2 M-element
 * input is read 65,536 times, not 1.2 M. Class-score features always read whole rows.
 */
export const MOMENT_SAMPLE_LIMIT = 65_536;

/** An output is class scores when its last dimension is within these bounds... */
export const CLASS_SCORES_MIN_CLASSES = 2;
export const CLASS_SCORES_MAX_CLASSES = 4096;
/** ...and it has at most this many rows (elements / last dimension); one top class per row. */
export const CLASS_SCORES_MAX_ROWS = 64;

/** The histogram metric the worker sends per feature and window (DESIGN §6). */
export const DRIFT_METRIC = 'outpost.drift.feature';

/** Attribute keys of every `outpost.drift.feature` data point. */
export const DRIFT_ATTRIBUTES = {
  /** The feature name, as {@link featureName} builds it. */
  feature: 'outpost.drift.feature',
  model: 'model.name',
  version: 'model.version',
} as const;

/**
 * The name of one drift feature: `<side>.<tensor name>.<kind>`. Tensor names may
 * contain dots; the side is the text before the first dot and the kind after the last.
 *
 * @example
 * ```ts
 * featureName('input', 'x', 'mean');            // 'input.x.mean'
 * featureName('output', 'scores', 'top_class'); // 'output.scores.top_class'
 * ```
 */
export function featureName(side: TensorSide, tensor: string, kind: FeatureKind): string {
  return `${side}.${tensor}.${kind}`;
}

/**
 * Splits a feature name built by {@link featureName}; undefined for any other name
 * (for example a feature from a hand-made `--reference` file).
 *
 * @example
 * ```ts
 * parseFeatureName('input.audio.frame.std'); // { side: 'input', tensor: 'audio.frame', kind: 'std' }
 * parseFeatureName('energy');                // undefined
 * ```
 */
export function parseFeatureName(name: string): { side: TensorSide; tensor: string; kind: FeatureKind } | undefined {
  const first = name.indexOf('.');
  const last = name.lastIndexOf('.');
  if (first < 0 || last <= first + 1) return undefined;
  const side = name.slice(0, first);
  const kind = name.slice(last + 1) as FeatureKind;
  if ((side !== 'input' && side !== 'output') || !FEATURE_KINDS.includes(kind)) return undefined;
  return { side, tensor: name.slice(first + 1, last), kind };
}

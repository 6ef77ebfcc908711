/**
 * PSI and Jensen–Shannon between two histograms over the same bins. Both take raw
 * counts and normalise them, so callers never pass proportions by mistake.
 */

/**
 * Floor for a bin's proportion inside PSI's logarithm. PSI divides by both sides'
 * proportions, so one empty bin would make it infinite; 1e-4 is the floor credit-risk
 * PSI practice uses: an empty bin against a 10% bin then adds
 * (0.1 − 0.0001)·ln(0.1 / 0.0001) ≈ 0.69, a clear signal but a finite one.
 */
export const PSI_EPSILON = 1e-4;

function proportions(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (!(total > 0)) throw new RangeError('a histogram with no counts has no distribution');
  return counts.map((count) => count / total);
}

function sameLength(reference: readonly number[], live: readonly number[]): void {
  if (reference.length !== live.length) {
    throw new RangeError(`histograms have ${reference.length} and ${live.length} bins; compare only the same bins`);
  }
}

/**
 * Population stability index, Σ (live − ref) · ln(live / ref) over bin proportions,
 * each proportion floored at {@link PSI_EPSILON} inside the logarithm (a bin empty on
 * both sides adds nothing). Symmetric; 0 for identical distributions.
 *
 * @example
 * ```ts
 * psi([50, 50], [50, 50]); // 0
 * psi([50, 50], [25, 75]); // 0.25 · ln 1.5 + 0.25 · ln 2 ≈ 0.2747
 * ```
 */
export function psi(referenceCounts: readonly number[], liveCounts: readonly number[]): number {
  sameLength(referenceCounts, liveCounts);
  const p = proportions(referenceCounts);
  const q = proportions(liveCounts);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    if (pi === qi) continue;
    sum += (qi - pi) * Math.log(Math.max(qi, PSI_EPSILON) / Math.max(pi, PSI_EPSILON));
  }
  return sum;
}

function klToMixture(p: readonly number[], m: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    // 0 · log 0 = 0, and m > 0 wherever p > 0, so no epsilon is needed here.
    if (pi > 0) sum += pi * Math.log2(pi / (m[i] as number));
  }
  return sum;
}

/**
 * Jensen–Shannon divergence in bits, ½ KL(ref ‖ M) + ½ KL(live ‖ M) with M the mean
 * of the two: 0 for identical distributions, 1 for disjoint ones, finite with empty
 * bins (no epsilon needed).
 *
 * @example
 * ```ts
 * jensenShannon([1, 0], [0, 1]);   // 1
 * jensenShannon([50, 50], [25, 75]); // ≈ 0.0488
 * ```
 */
export function jensenShannon(referenceCounts: readonly number[], liveCounts: readonly number[]): number {
  sameLength(referenceCounts, liveCounts);
  const p = proportions(referenceCounts);
  const q = proportions(liveCounts);
  const m = p.map((pi, i) => (pi + (q[i] as number)) / 2);
  return Math.max(0, 0.5 * klToMixture(p, m) + 0.5 * klToMixture(q, m));
}

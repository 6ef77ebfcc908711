import { describe, expect, it } from 'vitest';
import { combineLive, groupCounts, mergeBins, sameEdges } from '../../../src/drift/bins.js';
import { chiSquareSurvival } from '../../../src/drift/chi-square.js';
import { jensenShannon, psi, PSI_EPSILON } from '../../../src/drift/divergence.js';

describe('psi', () => {
  it('is zero for identical distributions, whatever the totals', () => {
    expect(psi([10, 20, 30], [20, 40, 60])).toBe(0);
  });

  it('matches a hand-computed value', () => {
    // p = (0.5, 0.5), q = (0.25, 0.75): -0.25·ln(0.5) + 0.25·ln(1.5)
    expect(psi([50, 50], [25, 75])).toBeCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), 12);
  });

  it('floors an empty live bin at the documented epsilon', () => {
    // p = (0.5, 0.5), q = (0, 1): (0 − 0.5)·ln(ε / 0.5) + 0.5·ln(2)
    const expected = -0.5 * Math.log(PSI_EPSILON / 0.5) + 0.5 * Math.log(2);
    expect(psi([5, 5], [0, 10])).toBeCloseTo(expected, 12);
    expect(Number.isFinite(psi([5, 5], [0, 10]))).toBe(true);
  });

  it('is symmetric and skips bins empty on both sides', () => {
    expect(psi([1, 0, 3], [2, 0, 2])).toBeCloseTo(psi([2, 0, 2], [1, 0, 3]), 12);
    expect(psi([1, 0, 3], [2, 0, 2])).toBeCloseTo(psi([1, 3], [2, 2]), 12);
  });

  it('refuses histograms of different lengths or without counts', () => {
    expect(() => psi([1, 2], [1, 2, 3])).toThrow(RangeError);
    expect(() => psi([0, 0], [1, 1])).toThrow(RangeError);
  });
});

describe('jensenShannon', () => {
  it('is 0 for equal and 1 bit for disjoint distributions', () => {
    expect(jensenShannon([3, 3], [1, 1])).toBe(0);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(1, 12);
  });

  it('matches a hand-computed value with an empty bin', () => {
    // p = (0.5, 0.5, 0), q = (0, 0.5, 0.5), M = (0.25, 0.5, 0.25): ½·0.5·log2(2) · 2 = 0.5
    expect(jensenShannon([1, 1, 0], [0, 1, 1])).toBeCloseTo(0.5, 12);
  });

  it('matches a hand-computed value', () => {
    const m = [0.375, 0.625];
    const kl = (p: number[]) => p.reduce((s, pi, i) => s + pi * Math.log2(pi / (m[i] as number)), 0);
    expect(jensenShannon([50, 50], [25, 75])).toBeCloseTo(0.5 * kl([0.5, 0.5]) + 0.5 * kl([0.25, 0.75]), 12);
  });
});

describe('bins', () => {
  it('compares edges exactly', () => {
    expect(sameEdges([0, 1], [0, 1])).toBe(true);
    expect(sameEdges([0, 1], [0, 1 + 1e-12])).toBe(false);
    expect(sameEdges([0, 1], [0, 1, 2])).toBe(false);
  });

  it('merges adjacent bins until each expects enough observations', () => {
    expect(mergeBins([1, 1, 8, 2, 3], 15, 5)).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 5 },
    ]);
    // A remainder too small for a group of its own joins the last group.
    expect(mergeBins([5, 5, 1], 11, 5)).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 3 },
    ]);
    expect(groupCounts([1, 2, 3, 4], [{ start: 0, end: 1 }, { start: 1, end: 4 }])).toEqual([1, 9]);
  });

  it('sums matching live histograms and rejects and counts the others', () => {
    const combined = combineLive(
      [0, 1],
      [
        { edges: [0, 1], counts: [1, 2, 3] },
        { edges: [0, 1], counts: [1, 0, 0] },
        { edges: [0, 2], counts: [4, 4, 4] },
        { edges: [0, 1], counts: [1, 1] },
      ],
    );
    expect(combined).toEqual({ counts: [2, 2, 3], histograms: 2, rejected: { histograms: 2, observations: 14 } });
  });
});

describe('chiSquareSurvival', () => {
  it('matches table values', () => {
    expect(chiSquareSurvival(3.841459, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquareSurvival(9.487729, 4)).toBeCloseTo(0.05, 6);
    expect(chiSquareSurvival(18.46683, 4)).toBeCloseTo(0.001, 6);
    expect(chiSquareSurvival(2, 2)).toBeCloseTo(Math.exp(-1), 12);
    expect(chiSquareSurvival(0, 3)).toBe(1);
  });
});

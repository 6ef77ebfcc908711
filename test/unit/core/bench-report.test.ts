import { describe, expect, it } from 'vitest';
import { median, ratioInterval } from '../../../bench/lib/report.js';

describe('ratioInterval', () => {
  it('brackets the ratio of medians and is the same every time', () => {
    const warm = [810, 790, 905, 760, 1020, 800, 780, 830, 795];
    const memory = [760, 800, 870, 740, 960, 770, 790, 815, 750];
    const { low, high } = ratioInterval(warm, memory);
    const point = median(warm) / median(memory);
    expect(low).toBeLessThanOrEqual(point);
    expect(high).toBeGreaterThanOrEqual(point);
    expect(high).toBeGreaterThan(low);
    expect(ratioInterval(warm, memory)).toEqual({ low, high });
  });

  it('is one point when every round gives the same ratio, and undefined for one round', () => {
    const base = [100, 200, 300, 400];
    expect(ratioInterval(base.map((v) => v * 1.5), base)).toEqual({ low: 1.5, high: 1.5 });
    const single = ratioInterval([1], [1]);
    expect(Number.isNaN(single.low) && Number.isNaN(single.high)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { Aggregator, mergeWindow } from '../../../src/telemetry/aggregate.js';

function windowOf(record: (metrics: Aggregator) => void, start: number, end: number) {
  const metrics = new Aggregator(start);
  record(metrics);
  return metrics.drain(end);
}

describe('mergeWindow', () => {
  it('adds series point by point: histogram buckets, count, sum, min, max; counters; the span of both', () => {
    const a = windowOf((m) => {
      m.histogram('lat', { b: 'wasm' }, [1, 10]).record(0.5);
      m.histogram('lat', { b: 'wasm' }, [1, 10]).record(50);
      m.counter('errors', { code: 'X' }).add(2);
    }, 1000, 2000);
    const b = windowOf((m) => {
      m.histogram('lat', { b: 'wasm' }, [1, 10]).record(5);
      m.histogram('lat', { b: 'webgpu' }, [1, 10]).record(7);
      m.counter('errors', { code: 'X' }).add(3);
    }, 2000, 3000);
    const merged = mergeWindow(mergeWindow(undefined, a), b);
    expect(merged.start).toBe(1000);
    expect(merged.end).toBe(3000);
    expect(merged.points).toHaveLength(3);
    expect(merged.points.find((p) => p.metric === 'lat' && p.attributes.b === 'wasm')).toEqual({
      kind: 'histogram', metric: 'lat', attributes: { b: 'wasm' }, bounds: [1, 10], bucketCounts: [1, 1, 1], count: 3, sum: 55.5, min: 0.5, max: 50,
    });
    expect(merged.points.find((p) => p.metric === 'errors')).toEqual({ kind: 'sum', metric: 'errors', attributes: { code: 'X' }, value: 5 });
    // The first window was copied, not adopted: it still says what it said.
    expect(a.points.find((p) => p.metric === 'errors')).toMatchObject({ value: 2 });
  });

  it('keeps histograms of other bounds apart rather than adding unlike buckets', () => {
    const a = windowOf((m) => m.histogram('lat', {}, [1, 10]).record(5), 0, 1);
    const b = windowOf((m) => m.histogram('lat', {}, [2, 20]).record(5), 1, 2);
    const merged = mergeWindow(mergeWindow(undefined, a), b);
    expect(merged.points.map((p) => (p.kind === 'histogram' ? p.bounds : []))).toEqual([[1, 10], [2, 20]]);
  });
});

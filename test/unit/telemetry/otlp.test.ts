import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../../src/telemetry/aggregate.js';
import { ATTRIBUTES, INFERENCE_BOUNDS_MS, METRICS } from '../../../src/telemetry/names.js';
import { encodeMetricsWindow } from '../../../src/telemetry/otlp.js';
import { checkMetricsPayload } from '../../browser/support/otlp-conformance.js';

const resource = { 'service.name': 'test.example', 'host.cpu.count': 8, 'browser.mobile': false, 'browser.brands': ['Chromium 140'] };

describe('OTLP JSON encoding', () => {
  it('round-trips through the official protobuf definitions with exact counts', () => {
    const metrics = new Aggregator(1_000);
    const duration = metrics.histogram(METRICS.inferenceDuration, { [ATTRIBUTES.model]: 'vad', [ATTRIBUTES.version]: '1.0.0', [ATTRIBUTES.backend]: 'wasm' }, INFERENCE_BOUNDS_MS);
    for (let i = 0; i < 1000; i++) duration.record((i % 100) / 10);
    metrics.counter(METRICS.errors, { [ATTRIBUTES.errorCode]: 'INVALID_INPUT', [ATTRIBUTES.model]: 'vad', [ATTRIBUTES.version]: '1.0.0' }).add(3);
    const [body, ...rest] = encodeMetricsWindow(metrics.drain(61_000), resource);
    expect(rest).toHaveLength(0);
    const points = checkMetricsPayload(JSON.parse(body as string));
    const histogram = points.find((p) => p.metric === METRICS.inferenceDuration);
    expect(histogram?.count).toBe(1000);
    expect(histogram?.bucketCounts?.length).toBe(INFERENCE_BOUNDS_MS.length + 1);
    // k/10 for k = 0..99, ten times: k 0-2 ≤ 0.25, 3-5 in (0.25, 0.5], 6-10 in (0.5, 1],
    // 11-20 in (1, 2], 21-50 in (2, 5], 51-99 in (5, 10].
    expect(histogram?.bucketCounts).toEqual([30, 30, 50, 100, 300, 490, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(histogram?.startTimeUnixNano).toBe('1000000000');
    expect(histogram?.timeUnixNano).toBe('61000000000');
    expect(points.find((p) => p.metric === METRICS.errors)?.asInt).toBe(3);
  });

  it('splits a large window into complete requests under the byte budget', () => {
    const metrics = new Aggregator(0);
    for (let i = 0; i < 400; i++) metrics.histogram(METRICS.driftFeature, { [ATTRIBUTES.driftFeature]: `input.x${i}.value` }, [1, 2, 3]).record(i);
    const bodies = encodeMetricsWindow(metrics.drain(10), resource, 8 * 1024);
    expect(bodies.length).toBeGreaterThan(1);
    let total = 0;
    for (const body of bodies) {
      expect(new TextEncoder().encode(body).byteLength).toBeLessThanOrEqual(8 * 1024);
      total += checkMetricsPayload(JSON.parse(body)).length;
    }
    expect(total).toBe(400);
  });

  it('drains DELTA windows: a second drain holds only what came after the first', () => {
    const metrics = new Aggregator(0);
    const h = metrics.histogram(METRICS.inferenceDuration, {}, [1]);
    h.record(0.5);
    expect(metrics.drain(5).points).toHaveLength(1);
    expect(metrics.drain(6).points).toHaveLength(0);
    h.record(2);
    const third = metrics.drain(9);
    expect(third.start).toBe(6);
    expect(third.points[0]).toMatchObject({ count: 1, bucketCounts: [0, 1] });
  });

  it('refuses a payload whose buckets do not match its bounds', () => {
    const metrics = new Aggregator(0);
    metrics.histogram(METRICS.inferenceDuration, {}, [1, 2]).record(1);
    const json = JSON.parse(encodeMetricsWindow(metrics.drain(1), resource)[0] as string);
    json.resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts.pop();
    expect(() => checkMetricsPayload(json)).toThrow(/buckets for/);
  });
});

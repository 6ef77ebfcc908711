import { describe, expect, it } from 'vitest';
import { computeReference } from '../../../src/registry/reference.js';
import { WorkerTelemetry } from '../../../src/worker/telemetry.js';

const reference = computeReference({ features: { 'input.x.value': [0, 1, 2, 3, 4, 5], 'input.x.mean': [1, 2, 3] } }, 4);
const feeds = () => ({ x: { type: 'float32', data: new Float32Array([0, 1, 2, 3]), dims: [1, 4] } });

function driftCounts(window: ReturnType<WorkerTelemetry['drain']>) {
  return Object.fromEntries(
    window.points.filter((p) => p.metric === 'outpost.drift.feature').map((p) => [p.attributes['outpost.drift.feature'], p.kind === 'histogram' ? p.count : 0]),
  );
}

describe('WorkerTelemetry', () => {
  it('bins drift after the run, from a copy: overwriting the feeds later changes nothing, and a drain counts every run', () => {
    const later: Array<() => void> = [];
    const telemetry = new WorkerTelemetry((work) => later.push(work));
    const record = telemetry.recorder({ model: 'm', version: '1.0.0', reference }, 'wasm');
    const shared = feeds();
    for (let i = 0; i < 5; i++) record(0.5, shared, {});
    shared.x.data.fill(1e9);
    expect(later).toHaveLength(1);
    const window = telemetry.drain(true);
    expect(driftCounts(window)).toEqual({ 'input.x.value': 20, 'input.x.mean': 5 });
    const means = window.points.find((p) => p.attributes['outpost.drift.feature'] === 'input.x.mean');
    expect(means?.kind === 'histogram' && means.max).toBe(1.5);
    // The scheduled work finds nothing left: no run is counted twice.
    later[0]?.();
    expect(driftCounts(telemetry.drain(true))).toEqual({});
  });

  it('bins at once when too many runs wait, so memory stays bounded', () => {
    const telemetry = new WorkerTelemetry(() => undefined);
    const record = telemetry.recorder({ model: 'm', version: '1.0.0', reference }, 'wasm');
    for (let i = 0; i < 100; i++) record(0.5, feeds(), {});
    expect(driftCounts(telemetry.drain(true))['input.x.mean']).toBe(100);
  });

  it('keeps sampled inputs only for sessions that opt in, and drops them when consent is withdrawn', () => {
    const telemetry = new WorkerTelemetry(() => undefined);
    const plain = telemetry.recorder({ model: 'p', version: '1.0.0' }, 'wasm');
    const sampled = telemetry.recorder({ model: 's', version: '1.0.0', sampleInputs: { rate: 1, maxRecordBytes: 16, maxWindowBytes: 32 } }, 'wasm');
    for (let i = 0; i < 3; i++) {
      plain(0.5, feeds(), {});
      sampled(0.5, feeds(), {});
    }
    const window = telemetry.drain(true);
    expect(window.samples?.map((s) => s.model)).toEqual(['s', 's']);
    expect(Array.from(new Float32Array(window.samples![0]!.inputs.x!.bytes.buffer))).toEqual([0, 1, 2, 3]);
    const skipped = window.points.find((p) => p.metric === 'outpost.input.samples.skipped');
    expect(skipped).toMatchObject({ kind: 'sum', value: 1, attributes: { 'model.name': 's', 'outpost.skip.reason': 'window-cap' } });
    // A new window, a new budget; withdrawn consent discards it.
    sampled(0.5, feeds(), {});
    expect(telemetry.drain(false)).toMatchObject({ points: [] });
    expect(telemetry.drain(false).samples).toBeUndefined();
  });

  it('a drain that keeps the window open hands the counts over but not a new sampling budget', () => {
    const telemetry = new WorkerTelemetry(() => undefined);
    const sampled = telemetry.recorder({ model: 's', version: '1.0.0', sampleInputs: { rate: 1, maxRecordBytes: 16, maxWindowBytes: 32 } }, 'wasm');
    sampled(0.5, feeds(), {});
    sampled(0.5, feeds(), {});
    const held = telemetry.drain(true, false);
    expect(held.samples).toHaveLength(2);
    expect(held.points.find((p) => p.metric === 'outpost.inference.duration')).toMatchObject({ count: 2 });
    // The window's 32 bytes are spent: a third run is skipped until the window ends.
    sampled(0.5, feeds(), {});
    const closed = telemetry.drain(true);
    expect(closed.samples).toBeUndefined();
    expect(closed.points.find((p) => p.metric === 'outpost.input.samples.skipped')).toMatchObject({ value: 1 });
    sampled(0.5, feeds(), {});
    expect(telemetry.drain(true).samples).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  OutpostError,
  abortError,
  deserializeError,
  isOutpostError,
  serializeError,
  toOutpostError,
} from '../../../src/errors.js';

describe('OutpostError', () => {
  it('carries code, details and cause', () => {
    const cause = new TypeError('socket hang up');
    const error = new OutpostError('DOWNLOAD_FAILED', 'vad@1.0.0: download failed', { cause, details: { attempts: 3 } });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('OutpostError');
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.details).toEqual({ attempts: 3 });
    expect(error.cause).toBe(cause);
  });

  it('isOutpostError checks name and code, so a plain object from another realm qualifies', () => {
    const foreign = { name: 'OutpostError', code: 'ABORTED', message: 'x' };
    expect(isOutpostError(foreign)).toBe(true);
    expect(isOutpostError(foreign, 'ABORTED')).toBe(true);
    expect(isOutpostError(foreign, 'INVALID_INPUT')).toBe(false);
    expect(isOutpostError({ name: 'OutpostError', code: 'NOT_A_CODE' })).toBe(false);
    expect(isOutpostError(new Error('ABORTED'))).toBe(false);
    expect(isOutpostError(null)).toBe(false);
  });

  it('survives serialisation with code, details and a nested cause', () => {
    const original = new OutpostError('BACKEND_UNAVAILABLE', 'm@1: no backend', {
      cause: new RangeError('adapter lost'),
      details: { attempts: [{ backend: 'webgpu', reason: 'no adapter' }] },
    });
    const wire = structuredClone(serializeError(original));
    const back = deserializeError(wire);
    expect(isOutpostError(back, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect(back).toBeInstanceOf(OutpostError);
    expect((back as OutpostError).details).toEqual(original.details);
    expect(back.message).toBe(original.message);
    expect((back.cause as Error).name).toBe('RangeError');
    expect((back.cause as Error).message).toBe('adapter lost');
  });

  it('reduces details that cannot be cloned instead of failing', () => {
    const error = new OutpostError('INFERENCE_FAILED', 'x', { details: { fn: () => 1 } });
    const wire = serializeError(error);
    expect(() => structuredClone(wire)).not.toThrow();
    expect(wire.details).toHaveProperty('unserializable');
  });

  it('keeps plain errors plain across the boundary', () => {
    const back = deserializeError(serializeError(new TypeError('bad')));
    expect(isOutpostError(back)).toBe(false);
    expect(back.name).toBe('TypeError');
  });

  it('toOutpostError wraps foreign errors but keeps Outpost ones', () => {
    const own = new OutpostError('ABORTED', 'stop');
    expect(toOutpostError(own, 'DOWNLOAD_FAILED', 'x')).toBe(own);
    const wrapped = toOutpostError(new Error('boom'), 'DOWNLOAD_FAILED', 'u: failed', { url: 'u' });
    expect(wrapped.code).toBe('DOWNLOAD_FAILED');
    expect(wrapped.details).toEqual({ url: 'u' });
    expect(abortError('load of vad').code).toBe('ABORTED');
  });

  it('lists every binding code', () => {
    expect(ERROR_CODES).toEqual(
      expect.arrayContaining([
        'METADATA_INVALID', 'SIGNATURE_INVALID', 'METADATA_EXPIRED', 'ROLLBACK_DETECTED', 'INTEGRITY_MISMATCH',
        'VERSION_REVOKED', 'MODEL_NOT_FOUND', 'DOWNLOAD_FAILED', 'ABORTED', 'QUOTA_EXCEEDED', 'BACKEND_UNAVAILABLE',
        'INVALID_INPUT', 'INFERENCE_FAILED', 'WORKER_CRASHED',
      ]),
    );
  });
});

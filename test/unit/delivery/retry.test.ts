import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableStatus, parseRetryAfter, sleep } from '../../../src/delivery/retry.js';

const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1000 };

describe('retry policy', () => {
  it('retries server trouble and throttling, not client errors', () => {
    for (const status of [408, 429, 500, 502, 503]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [200, 206, 400, 403, 404, 416]) expect(isRetryableStatus(status)).toBe(false);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('honours Retry-After up to the cap and otherwise backs off exponentially with jitter', () => {
    expect(backoffDelay(policy, 1, '0')).toBe(0);
    expect(backoffDelay(policy, 1, '120')).toBe(1000);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const ceiling = Math.min(1000, 100 * 2 ** (attempt - 1));
      const delay = backoffDelay(policy, attempt);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });

  it('sleep rejects with ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal, 'download of x');
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'OutpostError', code: 'ABORTED' });
  });
});

import { describe, expect, it } from 'vitest';
import { isOutpostError } from '../../../src/errors.js';
import { RunQueue } from '../../../src/runtime/run-queue.js';

/** A task that finishes when `release()` is called, recording when it started. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const finished = new Promise<void>((resolve) => (release = resolve));
  return {
    task: async () => {
      log.push(`start ${name}`);
      await finished;
      log.push(`end ${name}`);
      return name;
    },
    release: () => release(),
  };
}

describe('RunQueue', () => {
  it('starts a task pushed while idle in the same turn', () => {
    const queue = new RunQueue();
    const log: string[] = [];
    void queue.push(async () => log.push('ran'), undefined, 'run');
    expect(log).toEqual(['ran']);
  });

  it('runs tasks one at a time, in call order', async () => {
    const queue = new RunQueue();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const c = gate(log, 'c');
    const results = [queue.push(a.task, undefined, 'a'), queue.push(b.task, undefined, 'b'), queue.push(c.task, undefined, 'c')];
    await Promise.resolve();
    expect(log).toEqual(['start a']);
    c.release();
    b.release();
    a.release();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('rejects a waiting task with ABORTED when its signal fires, and never starts it', async () => {
    const queue = new RunQueue();
    const log: string[] = [];
    const a = gate(log, 'a');
    const first = queue.push(a.task, undefined, 'a');
    const controller = new AbortController();
    const second = queue.push(async () => log.push('second ran'), controller.signal, 'second');
    const third = queue.push(async () => 'third', undefined, 'third');
    controller.abort();
    const error = await second.catch((e: unknown) => e);
    expect(isOutpostError(error, 'ABORTED')).toBe(true);
    a.release();
    expect(await first).toBe('a');
    expect(await third).toBe('third');
    expect(log).not.toContain('second ran');
  });

  it('rejects at once when the signal has already fired, even when idle', async () => {
    const queue = new RunQueue();
    let ran = false;
    const error = await queue.push(async () => (ran = true), AbortSignal.abort(), 'run').catch((e: unknown) => e);
    expect(isOutpostError(error, 'ABORTED')).toBe(true);
    expect(ran).toBe(false);
    expect(await queue.push(async () => 'next', undefined, 'next')).toBe('next');
  });

  it('keeps going after a task fails, including one that throws synchronously', async () => {
    const queue = new RunQueue();
    const boom = (): Promise<never> => {
      throw new Error('sync');
    };
    const failedSync = queue.push(boom, undefined, 'boom');
    const failedAsync = queue.push(async () => Promise.reject(new Error('async')), undefined, 'reject');
    const after = queue.push(async () => 'after', undefined, 'after');
    await expect(failedSync).rejects.toThrow('sync');
    await expect(failedAsync).rejects.toThrow('async');
    expect(await after).toBe('after');
    // Idle again: the next task starts in the caller's turn.
    let started = false;
    void queue.push(async () => (started = true), undefined, 'idle');
    expect(started).toBe(true);
  });

  it('idle() settles once every pushed task has finished', async () => {
    const queue = new RunQueue();
    const log: string[] = [];
    const a = gate(log, 'a');
    void queue.push(a.task, undefined, 'a');
    void queue.push(async () => log.push('b'), undefined, 'b');
    const idle = queue.idle().then(() => log.push('idle'));
    a.release();
    await idle;
    expect(log).toEqual(['start a', 'end a', 'b', 'idle']);
  });
});

import { describe, expect, it } from 'vitest';
import { installIdRecord, readInstallId } from '../../../src/cache/install-id.js';

const ID = '6f1c2a9e-3b4d-4c5e-8f70-112233445566';
const fresh = () => '00000000-0000-4000-8000-000000000001';

describe('readInstallId', () => {
  it('uses a checked record as it is, writing nothing', () => {
    expect(readInstallId(installIdRecord(ID), fresh)).toEqual({ id: ID, status: 'ok' });
  });

  it('creates an id when there is none', () => {
    expect(readInstallId(undefined, fresh)).toEqual({ id: fresh(), status: 'missing', write: installIdRecord(fresh()) });
  });

  it('keeps a bare id stored before the check, so its buckets stay, and rewrites it checked', () => {
    expect(readInstallId(ID, fresh)).toEqual({ id: ID, status: 'legacy', write: installIdRecord(ID) });
  });

  it.each([
    ['a hex digit changed (still shaped like an id)', { ...installIdRecord(ID), id: `7${ID.slice(1)}` }],
    ['a truncated id', { ...installIdRecord(ID), id: ID.slice(0, 18) }],
    ['a number for the id', { ...installIdRecord(ID), id: 42 }],
    ['a number for the record', 42],
    ['a check of the wrong type', { id: ID, crc32: 'x' }],
    ['a truncated bare id', ID.slice(0, 18)],
    ['null', null],
  ])('replaces %s with a new id', (_label, stored) => {
    const reading = readInstallId(stored, fresh);
    expect(reading).toEqual({ id: fresh(), status: 'damaged', write: installIdRecord(fresh()) });
  });

  it('checks with the standard CRC-32', () => {
    // CRC-32/ISO-HDLC of "123456789" is 0xCBF43926.
    expect(installIdRecord('123456789').crc32).toBe(0xcbf43926);
  });
});

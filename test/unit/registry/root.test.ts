import { beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/registry/encoding.js';
import { MAX_ROOT_BYTES } from '../../../src/registry/layout.js';
import { checkExpiry, updateRoot, verifyRootUpdate, verifyTrustedRoot } from '../../../src/registry/verify.js';
import { envelopeBytes, makeKeys, PAST, rootPayload, sign, thrown, type TestKey } from './fixtures.js';

describe('root verification', () => {
  let oldKeys: TestKey[];
  let newKeys: TestKey[];
  let targets: TestKey[];
  beforeAll(async () => {
    [oldKeys, newKeys, targets] = [await makeKeys(3), await makeKeys(3), await makeKeys(1)];
  });

  it('accepts a shipped root signed by a threshold of its own keys, as object, text or bytes', async () => {
    const envelope = await sign('root', rootPayload(1, oldKeys, targets, 2), oldKeys.slice(0, 2));
    expect((await verifyTrustedRoot(envelope)).version).toBe(1);
    expect((await verifyTrustedRoot(JSON.stringify(envelope))).version).toBe(1);
    expect((await verifyTrustedRoot(envelopeBytes(envelope))).roles.root.threshold).toBe(2);
  });

  it('refuses a shipped root below its own threshold', async () => {
    const envelope = await sign('root', rootPayload(1, oldKeys, targets, 2), oldKeys.slice(0, 1));
    await expect(verifyTrustedRoot(envelope)).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      details: { role: 'root', valid: 1, threshold: 2 },
    });
  });

  it('refuses a shipped root signed only by its targets key', async () => {
    const envelope = await sign('root', rootPayload(1, oldKeys, targets), targets);
    await expect(verifyTrustedRoot(envelope)).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('refuses an oversized, malformed or mistyped root with METADATA_INVALID', async () => {
    const envelope = await sign('root', rootPayload(1, oldKeys, targets), oldKeys);
    const padded = JSON.stringify({ ...envelope, padding: 'x'.repeat(MAX_ROOT_BYTES) });
    await expect(verifyTrustedRoot(padded)).rejects.toMatchObject({ code: 'METADATA_INVALID' });
    await expect(verifyTrustedRoot('{not json')).rejects.toMatchObject({ code: 'METADATA_INVALID' });
    await expect(verifyTrustedRoot({ hello: 1 })).rejects.toMatchObject({ code: 'METADATA_INVALID' });
    const asIndex = await sign('index', rootPayload(1, oldKeys, targets), oldKeys);
    await expect(verifyTrustedRoot(asIndex)).rejects.toMatchObject({ code: 'METADATA_INVALID' });
    const badThreshold = rootPayload(1, oldKeys, targets, 4);
    await expect(verifyTrustedRoot(await sign('root', badThreshold, oldKeys))).rejects.toMatchObject({ code: 'METADATA_INVALID' });
  });

  it('refuses a root that lists one key under a second key id', async () => {
    const payload = rootPayload(1, oldKeys.slice(0, 1), targets, 1);
    const fakeId = 'f'.repeat(64);
    payload.keys[fakeId] = { ...payload.keys[oldKeys[0]!.file.keyid]! };
    payload.roles.root = { keyids: [oldKeys[0]!.file.keyid, fakeId], threshold: 2 };
    const envelope = await sign('root', payload, oldKeys.slice(0, 1));
    envelope.signatures.push({ keyid: fakeId, sig: envelope.signatures[0]!.sig });
    await expect(verifyTrustedRoot(envelope)).rejects.toMatchObject({ code: 'METADATA_INVALID' });
  });

  describe('rotation N → N+1', () => {
    let trusted: Awaited<ReturnType<typeof verifyTrustedRoot>>;
    beforeAll(async () => {
      trusted = await verifyTrustedRoot(await sign('root', rootPayload(1, oldKeys, targets, 2), oldKeys.slice(0, 2)));
    });

    it('accepts a new root signed by thresholds of the old and the new root keys', async () => {
      const next = await sign('root', rootPayload(2, newKeys, targets, 2), [...oldKeys.slice(1), ...newKeys.slice(0, 2)]);
      const root = await verifyRootUpdate(trusted, next);
      expect(root.version).toBe(2);
      expect(root.roles.root.keyids).toEqual(newKeys.map((k) => k.file.keyid));
    });

    it('refuses a new root signed only by the old keys', async () => {
      const next = await sign('root', rootPayload(2, newKeys, targets, 2), oldKeys);
      await expect(verifyRootUpdate(trusted, next)).rejects.toMatchObject({
        code: 'SIGNATURE_INVALID',
        details: { role: 'root', valid: 0, threshold: 2 },
      });
    });

    it('refuses a new root signed only by the new keys', async () => {
      const next = await sign('root', rootPayload(2, newKeys, targets, 2), newKeys);
      await expect(verifyRootUpdate(trusted, next)).rejects.toMatchObject({
        code: 'SIGNATURE_INVALID',
        details: { role: 'root', valid: 0, threshold: 2 },
      });
    });

    it('refuses a new root that meets the old threshold only partly', async () => {
      const next = await sign('root', rootPayload(2, newKeys, targets, 2), [oldKeys[0]!, ...newKeys]);
      await expect(verifyRootUpdate(trusted, next)).rejects.toMatchObject({ code: 'SIGNATURE_INVALID', details: { valid: 1 } });
    });

    it('refuses a replayed older version and a skipped version', async () => {
      const same = await sign('root', rootPayload(1, newKeys, targets, 2), [...oldKeys, ...newKeys]);
      await expect(verifyRootUpdate(trusted, same)).rejects.toMatchObject({ code: 'ROLLBACK_DETECTED' });
      const skip = await sign('root', rootPayload(3, newKeys, targets, 2), [...oldKeys, ...newKeys]);
      await expect(verifyRootUpdate(trusted, skip)).rejects.toMatchObject({ code: 'METADATA_INVALID', details: { expected: 2 } });
    });

    it('walks a chain of published roots to the latest and stops where none is published', async () => {
      const thirdKeys = await makeKeys(1);
      const files = new Map<string, Uint8Array>([
        ['roots/2.root.json', envelopeBytes(await sign('root', rootPayload(2, newKeys, targets, 2), [...oldKeys, ...newKeys]))],
        ['roots/3.root.json', envelopeBytes(await sign('root', rootPayload(3, thirdKeys, targets, 1), [...newKeys, ...thirdKeys]))],
      ]);
      const asked: string[] = [];
      const latest = await updateRoot(trusted, async (path) => {
        asked.push(path);
        return files.get(path);
      });
      expect(latest.version).toBe(3);
      expect(asked).toEqual(['roots/2.root.json', 'roots/3.root.json', 'roots/4.root.json']);
    });

    it('stops the walk at the first bad link', async () => {
      const bad = envelopeBytes(await sign('root', rootPayload(2, newKeys, targets, 2), newKeys));
      await expect(updateRoot(trusted, async (path) => (path === 'roots/2.root.json' ? bad : undefined))).rejects.toMatchObject({
        code: 'SIGNATURE_INVALID',
      });
      const junk = utf8('x'.repeat(MAX_ROOT_BYTES + 1));
      await expect(updateRoot(trusted, async () => junk)).rejects.toMatchObject({ code: 'METADATA_INVALID' });
    });
  });

  it('reports an expired root separately, with METADATA_EXPIRED', async () => {
    const root = await verifyTrustedRoot(await sign('root', { ...rootPayload(1, oldKeys, targets), expires: PAST }, oldKeys));
    expect(thrown(() => checkExpiry(root, Date.now(), 'root.json'))).toMatchObject({
      code: 'METADATA_EXPIRED',
      details: { version: 1, expires: PAST },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, bytesToHex, fromUtf8, sha256Hex, utf8 } from '../../../src/registry/encoding.js';

describe('encoding', () => {
  it('round-trips bytes through base64, including empty and large inputs', () => {
    const large = new Uint8Array(300_000).map((_, i) => (i * 31) % 256);
    for (const bytes of [new Uint8Array(0), new Uint8Array([0]), new Uint8Array([255, 254]), large]) {
      expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
    }
    expect(bytesToBase64(utf8('hi'))).toBe('aGk=');
  });

  it('refuses base64 that is not canonical and padded', () => {
    for (const text of ['aGk', 'aG k=', 'aGk=\n', 'a-_=', '====', 'aGk=aGk=']) {
      expect(() => base64ToBytes(text)).toThrow(TypeError);
    }
  });

  it('hashes with SHA-256 and writes lower-case hex', async () => {
    expect(await sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(bytesToHex(new Uint8Array([0, 15, 255]))).toBe('000fff');
  });

  it('refuses invalid UTF-8 rather than replacing it', () => {
    expect(() => fromUtf8(new Uint8Array([0xff, 0xfe]))).toThrow(TypeError);
  });
});

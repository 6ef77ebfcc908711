import { describe, expect, it } from 'vitest';
import { registryUrl, safeRelativePath } from '../../../src/registry/paths.js';
import { thrown } from './fixtures.js';

const EVIL = [
  '',
  '..',
  '.',
  '../x',
  'a/../../x',
  'a/..',
  './a',
  'a/./b',
  '/etc/passwd',
  '//evil.example/x',
  'a//b',
  'a/',
  'a\\b',
  '..\\x',
  'C:\\x',
  'c:/x',
  'http://evil.example/x',
  'file:///etc/passwd',
  'data:text/plain,x',
  '%2e%2e/x',
  'a/%2e%2e/b',
  '..%2fx',
  '%2E%2E%2F',
  'a?b=1',
  'a#frag',
  'a b',
  'a\u0000b',
  'a\nb',
  '\uff0e\uff0e/x',
  '.hidden',
  'a/.git/config',
  '~/x',
  'x'.repeat(513),
];

describe('safeRelativePath', () => {
  it.each(EVIL)('rejects %j with METADATA_INVALID', (path) => {
    expect(thrown(() => safeRelativePath(path))).toMatchObject({ code: 'METADATA_INVALID', details: { path } });
  });

  it.each(['index.json', 'roots/2.root.json', 'models/vad/1.0.0-rc.1/model.onnx', 'a_b-c.d/e'])('accepts %j', (path) => {
    expect(safeRelativePath(path)).toBe(path);
  });

  it('builds URLs that stay under the registry base', () => {
    expect(registryUrl('https://cdn.example/reg', 'index.json').href).toBe('https://cdn.example/reg/index.json');
    expect(registryUrl('https://cdn.example/reg/?t=1#x', 'models/a/1.0.0/model.onnx').href).toBe(
      'https://cdn.example/reg/models/a/1.0.0/model.onnx',
    );
    expect(thrown(() => registryUrl('https://cdn.example/reg/', '../secret'))).toMatchObject({ code: 'METADATA_INVALID' });
  });
});

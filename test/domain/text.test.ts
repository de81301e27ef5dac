import { firstUnstorableText, isStorableText } from '../../domain/text';

describe('storable text', () => {
  it('refuses lone surrogates and NUL, keeps real astral characters', () => {
    expect(isStorableText('Zoë 😀 ok')).toBe(true);
    expect(isStorableText('x\ud800')).toBe(false);
    expect(isStorableText('x\udc00y')).toBe(false);
    expect(isStorableText('a\u0000b')).toBe(false);
  });

  it('names the first bad path in nested input, keys included', () => {
    expect(firstUnstorableText({ a: 'ok', lines: [{ d: 'ok' }, { d: 'bad\ud800' }] })).toBe('/lines/1/d');
    expect(firstUnstorableText({ ['k\u0000']: 1 })).toBe('/k\ufffd');
    expect(firstUnstorableText('\ud800')).toBe('/');
    expect(firstUnstorableText({ n: 1, b: true, z: null, list: ['fine'] })).toBeNull();
  });
});

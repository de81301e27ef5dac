import { bidiControlIn, firstBidiControl, firstUnstorableText, isStorableText } from '../../domain/text';

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

describe('bidi controls', () => {
  it('finds the embedding, override and isolate controls, not the implicit marks', () => {
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']) expect(bidiControlIn(`a${c}b`)).toBe(`U+${c.charCodeAt(0).toString(16).toUpperCase()}`);
    for (const ok of ['plain', '\u200e', '\u200f', '\u061c', 'שלום', '\u2029', '\u202f', '\u2065', '\u206a']) expect(bidiControlIn(ok)).toBeNull();
  });

  it('names the first path holding one, keys included, and shows a bad key as U+FFFD', () => {
    expect(firstBidiControl({ a: 'ok', lines: [{ d: 'ok' }, { d: 'Acme\u202egnp.exe' }] })).toEqual({ path: '/lines/1/d', character: 'U+202E' });
    expect(firstBidiControl({ ['k\u2066']: 1 })).toEqual({ path: '/k\ufffd', character: 'U+2066' });
    expect(firstBidiControl({ n: 1, list: ['fine'] })).toBeNull();
  });
});

describe('deep values', () => {
  it('walks a value nested far deeper than the call stack allows, in document order', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(firstUnstorableText(deep)).toBe('/0'.repeat(100_000));
    expect(firstUnstorableText({ a: 'fine', ['b\u0000']: 'x\u0000', c: 'x\u0000' })).toBe('/b\ufffd');
    expect(firstUnstorableText({ a: ['ok', { z: 'x\ud800' }], b: 'x\ud800' })).toBe('/a/1/z');
  });
});

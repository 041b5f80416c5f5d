// The one predicate for text PostgreSQL can store: exactly the strings with no NUL that are well-formed UTF-16 (so valid UTF-8).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findUnstorableText, isStorableText, unstorableReason } from '../../../domain/storable-text.js';

describe('isStorableText', () => {
  it('refuses NUL and unpaired surrogates, keeps pairs, RTL marks and ordinary Kazakh text', () => {
    expect(isStorableText('ok\u0000x')).toBe(false);
    expect(isStorableText('a\ud800b')).toBe(false);
    expect(isStorableText('\udc00')).toBe(false);
    expect(isStorableText('a\ud800')).toBe(false);
    expect(isStorableText('😀 \u200f Қазақстан')).toBe(true);
    expect(unstorableReason('ok\u0000x')).toBe('contains U+0000 (NUL) at character 2');
    expect(unstorableReason('a\ud800b')).toMatch(/unpaired UTF-16 surrogate \(U\+D800\) at character 1/);
  });

  it('agrees with a UTF-8 round trip for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const roundTrips = Buffer.from(s, 'utf8').toString('utf8') === s;
        expect(isStorableText(s)).toBe(roundTrips && !s.includes('\u0000'));
        expect(unstorableReason(s) === null).toBe(isStorableText(s));
      }),
      { numRuns: 500 },
    );
  });

  it('finds every bad string in a value by its path, keys included', () => {
    expect(findUnstorableText({ items: [{ text: 'ok' }, { text: 'x\u0000' }], ['k\ud800']: 1 })).toEqual([
      'items[1].text: contains U+0000 (NUL) at character 1',
      'k\ud800: the name contains an unpaired UTF-16 surrogate (U+D800) at character 1',
    ]);
    expect(findUnstorableText({ a: 'fine', b: [1, null, true] })).toEqual([]);
  });
});

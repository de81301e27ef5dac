/**
 * The one rule for text from outside (bodies, query strings, headers, webhook payloads): well-formed
 * Unicode (no lone UTF-16 surrogate) and no NUL. Postgres refuses both in text and jsonb, and a
 * refusal inside a workflow's write would stall the invoice, so such input never gets past the edge.
 */

/** A string Postgres can store as text or inside jsonb. */
export const isStorableText = (s: string): boolean => s.isWellFormed() && !s.includes('\u0000');

/** The path of the first string (or object key) in `value` that is not storable text, or null. */
export function firstUnstorableText(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path || '/';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = firstUnstorableText(value[i], `${path}/${i}`);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (!isStorableText(key)) return `${path}/${key.toWellFormed().replace(/\u0000/g, '\ufffd')}`;
      const bad = firstUnstorableText(v, `${path}/${key}`);
      if (bad !== null) return bad;
    }
  }
  return null;
}

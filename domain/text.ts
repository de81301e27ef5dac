/**
 * The rules for text from outside (bodies, query strings, headers, webhook payloads).
 *
 * Storable: well-formed Unicode (no lone UTF-16 surrogate) and no NUL. Postgres refuses both in text
 * and jsonb, and a refusal inside a workflow's write would stall the invoice, so such input never
 * gets past the edge.
 *
 * Displayable: no bidirectional embedding, override or isolate controls (U+202A–U+202E,
 * U+2066–U+2069). They reorder the characters around them on screen, so a contact named
 * "Acme\u202Egnp.exe" shows as "Acmeexe.png" in every list and PDF (spoofing). The API refuses them
 * in what clients send; the implicit marks (U+200E, U+200F, U+061C) stay allowed.
 */

/** A string Postgres can store as text or inside jsonb. */
export const isStorableText = (s: string): boolean => s.isWellFormed() && !s.includes('\u0000');

/** The refused bidi controls as a regex character class body (the OpenAPI pattern of free text uses it too). */
export const BIDI_CONTROLS_CLASS = '\\u202a-\\u202e\\u2066-\\u2069';
const BIDI_CONTROL = new RegExp(`[${BIDI_CONTROLS_CLASS}]`);
/** The refused bidi controls, for people. */
export const BIDI_CONTROLS_LABEL = 'U+202A–U+202E, U+2066–U+2069';

/** The first bidirectional embedding/override/isolate control in `s` (e.g. "U+202E"), or null. */
export function bidiControlIn(s: string): string | null {
  const m = BIDI_CONTROL.exec(s);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase()}` : null;
}

/** A key as it can be shown in a path: what could not be stored or would reorder the path is U+FFFD. */
const UNPRINTABLE_IN_PATH = new RegExp(`[\\u0000${BIDI_CONTROLS_CLASS}]`, 'g');
const printableKey = (key: string) => key.toWellFormed().replace(UNPRINTABLE_IN_PATH, '\ufffd');

/**
 * The first string (or object key) in `value` in which `find` finds something, with its path, or
 * null; depth first, in document order, each key before its value. Iterative: a deeply nested value
 * cannot overflow the stack.
 */
export function firstTextWhere<T>(value: unknown, find: (s: string, path: string) => T | null): { path: string; found: T } | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const found = find(v, path || '/');
      if (found !== null) return { path: path || '/', found };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        const at = `${path}/${printableKey(key)}`;
        stack.push([child, at], [key, at]);
      }
    }
  }
  return null;
}

/**
 * Both rules in one walk of `value`: the path of the first string (or object key) that is not storable
 * text, and the first one holding a bidi control before it (its path and the character, "U+202E").
 * The walk ends at the first unstorable string: that refusal comes first.
 */
export function textFaults(value: unknown): { unstorable: string | null; bidi: { path: string; character: string } | null } {
  let bidi: { path: string; character: string } | null = null;
  const unstorable = firstTextWhere(value, (s, path) => {
    if (!isStorableText(s)) return true;
    if (bidi === null) {
      const character = bidiControlIn(s);
      if (character !== null) bidi = { path, character };
    }
    return null;
  });
  return { unstorable: unstorable?.path ?? null, bidi };
}

/** The path of the first string (or object key) in `value` that is not storable text, or null. */
export const firstUnstorableText = (value: unknown): string | null => textFaults(value).unstorable;

/** The first string (or object key) in `value` holding a bidi control: its path and the character ("U+202E"), or null. */
export const firstBidiControl = (value: unknown): { path: string; character: string } | null => textFaults(value).bidi;

// What PostgreSQL can store as text: no U+0000 (text and jsonb refuse it) and no unpaired UTF-16 surrogate (not UTF-8 at all).
// One pure predicate for the API's schemas, the workflows' Update validators and the importers.

/** True when PostgreSQL can store the string as text or inside jsonb. */
export function isStorableText(s: string): boolean {
  // isWellFormed (ES2024, Node 20) is false exactly when the string holds an unpaired surrogate.
  return !s.includes('\u0000') && (s as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Why a string cannot be stored, for a message naming the field: "contains U+0000 (NUL) at 2". */
export function unstorableReason(s: string): string | null {
  if (isStorableText(s)) return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return `contains U+0000 (NUL) at character ${i}`;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `contains an unpaired UTF-16 surrogate (U+${c.toString(16).toUpperCase()}) at character ${i}`;
    }
    if (c >= 0xdc00 && c <= 0xdfff)
      return `contains an unpaired UTF-16 surrogate (U+${c.toString(16).toUpperCase()}) at character ${i}`;
  }
  return null;
}

/** Every string (keys included) in a JSON-like value that PostgreSQL cannot store, as "path: reason"; at most `limit` of them. */
export function findUnstorableText(value: unknown, path = '', limit = 10): string[] {
  const found: string[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, p: string): void => {
    if (found.length >= limit) return;
    if (typeof v === 'string') {
      const reason = unstorableReason(v);
      if (reason !== null) found.push(`${p === '' ? '(value)' : p}: ${reason}`);
      return;
    }
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    // Uploaded bytes are not text; their decoding is checked where they are read.
    if (ArrayBuffer.isView(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${p}[${i}]`));
      return;
    }
    for (const [k, item] of Object.entries(v)) {
      const keyPath = p === '' ? k : `${p}.${k}`;
      const keyReason = unstorableReason(k);
      if (keyReason !== null && found.length < limit) found.push(`${keyPath}: the name ${keyReason}`);
      walk(item, keyPath);
    }
  };
  walk(value, path);
  return found;
}

// Entity tags: a response that names its content with an ETag answers a request whose If-None-Match names it with 304.

/** Whether an If-None-Match header names this tag (weak comparison, as for GET). */
export function matchesTag(ifNoneMatch: string | undefined, tag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = tag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v.replace(/^W\//, '') === bare;
  });
}

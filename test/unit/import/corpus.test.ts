// Every plan of the import corpus (test/fixtures/corpus) against its hand-checked expected file: the goal per plan, and the sample exact.
import { describe, expect, it } from 'vitest';
import { corpusNames, scorePlan, shares } from '../../helpers/import-corpus.js';

describe.each(corpusNames())('corpus plan %s', (name) => {
  const score = scorePlan(name);
  const pct = shares(score);

  it('finds ≥ 95 % of the measures, ≥ 95 % of them with executors, ≥ 90 % with a parsed deadline', () => {
    expect(pct.measures).toBeGreaterThanOrEqual(95);
    expect(score.found).toBeLessThanOrEqual(score.expected);
    expect(pct.withExecutors).toBeGreaterThanOrEqual(95);
    expect(pct.deadlines).toBeGreaterThanOrEqual(90);
  });

  it('reads every sample measure as a person reads the source', () => {
    expect(score.mismatches).toEqual([]);
    expect(score.sampleExact).toBe(score.sampleSize);
  });
});

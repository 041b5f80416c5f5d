// Reads the deadline column ("Орындау мерзімі", the 5th) of the action-plan seeds, so tests can prove every real expression is covered.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SEEDS_DIR = fileURLToPath(new URL('../../../../shared/seeds/', import.meta.url));

/** The action plans whose rows are tab-separated tables: 000 (decree 580) and 002. */
export const ACTION_PLAN_SEEDS = ['000_154aa3237ae338bf.txt', '002_e7a38657bed497b0.txt'] as const;

/** Every non-empty cell of the 5th column below the header row numbered "1 2 3 4 5 …", exactly as written. */
export function deadlineCells(seedFile: string): string[] {
  const cells: string[] = [];
  let inTable = false;
  for (const line of readFileSync(`${SEEDS_DIR}${seedFile}`, 'utf8').split('\n')) {
    const columns = line.split('\t');
    if (columns.length < 5) continue;
    const cell = columns[4] ?? '';
    if (!inTable) {
      inTable = cell.trim() === '5';
      continue;
    }
    if (cell.trim() !== '') cells.push(cell);
  }
  return cells;
}

export function distinctDeadlineExpressions(): string[] {
  return [...new Set(ACTION_PLAN_SEEDS.flatMap(deadlineCells))].sort();
}

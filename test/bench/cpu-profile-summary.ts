// Where a V8 CPU profile's time went (node --cpu-prof): self time per function (with its file and line) and per file, the
// heaviest first, as JSON. For the board's load benchmark: BENCH_BOARD_CPU_PROF=<dir> (test/bench/board-load.bench.ts).
//
//   npx tsx test/bench/cpu-profile-summary.ts <profile.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: cpu-profile-summary.ts <profile.cpuprofile> [top]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const short = (url: string): string =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/^.*\/(api|db|domain|test|worker|platform)\//, '$1/');
const functions = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of self) {
  const f = byId.get(id)!.callFrame;
  const where = f.url === '' ? '(native)' : short(f.url);
  const name = `${f.functionName || '(anonymous)'} ${where}${f.url === '' ? '' : `:${f.lineNumber + 1}`}`;
  functions.set(name, (functions.get(name) ?? 0) + us);
  const pkg = where.startsWith('node_modules/')
    ? where
        .split('/')
        .slice(0, where.includes('/@') ? 3 : 2)
        .join('/')
    : where;
  files.set(pkg, (files.get(pkg) ?? 0) + us);
}
const rank = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, share: Math.round((us / total) * 1000) / 10 }));
console.log(
  JSON.stringify(
    { profile: file, sampledMs: Math.round(total / 1000), functions: rank(functions), files: rank(files) },
    null,
    2,
  ),
);

// Summarises V8 CPU profiles (the .cpuprofile files `BENCH_WORKER_CPU_PROFILE=<dir>` writes, one per thread of the worker):
// where the sampled time went, by function (self time and inclusive time, each sample counted once per function on its
// stack) and by origin (the workflow bundle, the SDK, kysely/pg, Node, GC). Prints one JSON document on stdout.
//
//   npx tsx test/bench/cpu-profile-summary.ts <file.cpuprofile>… [--top 30] [--match name,name]
//
// --match: inclusive time of these functions only (e.g. obligationWorkflow,openObligation,computeObligationTimeline).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Where a function comes from, by its script's URL. */
function origin(url: string, name: string): string {
  if (name === '(garbage collector)') return 'gc';
  if (name === '(idle)') return 'idle';
  if (name === '(program)' || name === '(root)') return 'program';
  if (url === '') return 'native/builtin';
  if (/workflow-bundle|baseline-bundle/.test(url)) return 'workflow bundle (Merzim workflows + SDK workflow runtime)';
  if (url.includes('@temporalio/')) return `sdk: ${/@temporalio\/([^/]+)/.exec(url)![1]}`;
  if (url.includes('node_modules/kysely')) return 'kysely';
  if (/node_modules\/pg(-[a-z]+)?\//.test(url)) return 'pg';
  if (url.includes('node_modules/')) return `node_modules: ${/node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)![1]}`;
  if (url.startsWith('node:')) return 'node';
  if (/\/(activities|db|domain|platform|worker)\//.test(url))
    return `merzim: ${/\/(activities|db|domain|platform|worker)\//.exec(url)![1]}`;
  return url;
}

const round = (ms: number): number => Math.round(ms);

function summarise(file: string, top: number, match: readonly string[]) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode): string =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const origins = new Map<string, number>();
  const matched = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(p.samples[i]!)!;
    const name = node.callFrame.functionName;
    if (name === '(idle)') {
      idle += dt;
      continue;
    }
    total += dt;
    self.set(key(node), (self.get(key(node)) ?? 0) + dt);
    const o = origin(node.callFrame.url, name);
    origins.set(o, (origins.get(o) ?? 0) + dt);
    const seen = new Set<string>();
    const seenMatch = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      const k = key(n);
      if (!seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
      }
      const fn = n.callFrame.functionName;
      if (match.includes(fn) && !seenMatch.has(fn)) {
        seenMatch.add(fn);
        matched.set(fn, (matched.get(fn) ?? 0) + dt);
      }
    }
  }
  const sorted = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => ({ ms: round(v), what: k }));
  return {
    file: basename(file),
    wallMs: round((p.endTime - p.startTime) / 1000),
    busyMs: round(total),
    idleMs: round(idle),
    byOrigin: sorted(origins, 50),
    ...(match.length > 0 ? { matchedInclusive: sorted(matched, 50) } : {}),
    topSelf: sorted(self, top),
    topInclusive: sorted(inclusive, top),
  };
}

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const top = Number(option('--top') ?? 30);
const match = (option('--match') ?? '').split(',').filter((s) => s !== '');
console.log(
  JSON.stringify(
    args.map((f) => summarise(f, top, match)),
    null,
    2,
  ),
);

// Which servers a benchmark runs on: `--stack embedded` (the default: the Temporal dev server and embedded PostgreSQL, as
// `npm start`) or `--stack production` (stack:production: the real Temporal server on its own PostgreSQL, two workers, the API;
// worker/production/stack.ts). BENCH_STACK says the same for scripts started by another (season.bench.ts passes it on).
export type BenchStack = 'embedded' | 'production';

export function benchStack(argv: readonly string[] = process.argv, env = process.env): BenchStack {
  const i = argv.indexOf('--stack');
  const raw = i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith('--stack='))?.slice(8) ?? env.BENCH_STACK);
  if (raw === undefined || raw === '' || raw === 'embedded') return 'embedded';
  if (raw === 'production') return 'production';
  throw new Error(`--stack (BENCH_STACK): embedded or production, got "${raw}"`);
}

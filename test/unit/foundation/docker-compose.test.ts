// docker-compose.yml cannot run here (no Docker engine), so it is checked statically: topology, commands, and config it passes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../platform/config.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const compose = parse(readFileSync(`${root}/docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; build?: string; command?: string[]; environment?: Record<string, string>; depends_on?: Record<string, unknown> }>;
};
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { scripts: Record<string, string> };

/** Compose's ${VAR:?message} interpolation, with sample secrets. */
function interpolate(env: Record<string, string>): Record<string, string> {
  const sample: Record<string, string> = { MERZIM_DB_PASSWORD: 'pw1', TEMPORAL_DB_PASSWORD: 'pw2' };
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{(\w+)(:\?[^}]*)?\}/g, (_, name: string) => sample[name] ?? '')]));
}

describe('docker-compose.yml', () => {
  it('has the production topology: Temporal server image, PostgreSQL, Mailpit, migrate, worker, api', () => {
    const s = compose.services;
    expect(s.temporal!.image).toMatch(/^temporalio\//);
    expect(s.postgres!.image).toMatch(/^postgres:/);
    expect(s.mailpit!.image).toMatch(/^axllent\/mailpit/);
    for (const name of ['migrate', 'worker', 'api']) expect(s[name]!.build).toBe('.');
  });

  it.each([
    ['migrate', 'db:migrate', 'cli'],
    ['worker', 'worker', 'worker'],
    ['api', 'api', 'api'],
  ] as const)('%s runs "npm run %s", which exists, with an environment its config accepts', (service, script, mode) => {
    const svc = compose.services[service]!;
    expect(svc.command).toEqual(['npm', 'run', script]);
    expect(pkg.scripts[script]).toBeDefined();
    const config = loadConfig(interpolate(svc.environment!), mode);
    expect(config.databaseUrl).toBe('postgres://merzim:pw1@postgres:5432/merzim');
    if (mode !== 'cli') expect(config.temporal.address).toBe('temporal:7233');
  });

  it('worker and api wait for the migration; secrets are required, not defaulted', () => {
    expect(compose.services.worker!.depends_on).toHaveProperty('migrate');
    expect(compose.services.api!.depends_on).toHaveProperty('migrate');
    expect(readFileSync(`${root}/docker-compose.yml`, 'utf8')).not.toMatch(/PASSWORD:\s*\w+\s*$/m);
  });

  it('the search attributes registered match those the embedded dev server registers', async () => {
    const { SEARCH_ATTRIBUTES } = await import('../../../workflows/shared.js');
    const cmd = (compose.services['temporal-search-attributes']!.command ?? []).join(' ');
    const listed = /for sa in ([^;]+);/.exec(cmd)?.[1]?.trim().split(/\s+/) ?? [];
    expect(listed.sort()).toEqual(Object.keys(SEARCH_ATTRIBUTES).sort());
  });
});

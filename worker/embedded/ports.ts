// Checks that the ports the embedded services need are free, so a clash is reported before anything starts.
import { createServer } from 'node:net';
import { StartupError } from './errors.js';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Asks the OS for a free port (tests and the dev server's internal services use it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PortNeed {
  readonly port: number;
  readonly what: string;
  /** The variable that moves it. */
  readonly envVar: string;
}

export async function assertPortsFree(needs: readonly PortNeed[], host = '127.0.0.1'): Promise<void> {
  const busy: PortNeed[] = [];
  for (const need of needs) if (!(await isPortFree(need.port, host))) busy.push(need);
  if (busy.length > 0) {
    throw new StartupError(
      `Port${busy.length > 1 ? 's' : ''} already in use: ${busy.map((b) => `${b.port} (${b.what})`).join(', ')}.`,
      `stop whatever uses ${busy.length > 1 ? 'them' : 'it'}, or choose another port with ${busy.map((b) => `${b.envVar}=<port>`).join(', ')}.`,
    );
  }
}

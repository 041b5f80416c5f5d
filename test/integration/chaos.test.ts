// The short chaos run (`npm run -s chaos -- --short`) in the suite: on the production topology, a worker SIGKILLed and the relay
// down for 30 s during reminder bursts with submissions arriving — every reminder delivered once, every submission stored.
import { describe, expect, it } from 'vitest';
import { resolveTemporalServer } from '../../worker/production/temporal-server-binaries.js';
import { runChaos, SHORT_CHAOS } from '../chaos/chaos.js';

const logs: string[] = [];

describe('chaos, short', () => {
  it('loses nothing, and doubles only what a killed worker had in flight, when a worker dies and the relay is down', async () => {
    // Fails here, saying how to build it, when the server was never built: never a silent skip.
    await resolveTemporalServer({ projectRoot: process.cwd(), env: process.env, log: () => undefined, build: false });
    const { phases, ok } = await runChaos({ ...SHORT_CHAOS, log: (l) => void logs.push(l) }).catch((err: Error) => {
      throw new Error(`${err.message}\n--- chaos output (last 40 lines) ---\n${logs.slice(-40).join('\n')}`);
    });
    expect(phases.map((p) => p.fault)).toEqual(['worker-killed', 'smtp-down']);
    for (const p of phases) {
      expect(p, `${p.fault}\n${logs.slice(-20).join('\n')}`).toMatchObject({
        remindersLost: 0,
        stuckObligations: 0,
        eventsDisagreeing: 0,
      });
      // A worker SIGKILLed between the relay's acceptance of an e-mail and the outbox's "sent" loses that knowledge, and the
      // retry sends it again with the same Message-ID: at most the messages the dead worker had in flight (its SMTP pool, 5).
      // Nothing else may ever arrive twice.
      if (p.fault === 'worker-killed') expect(p.duplicateDeliveries).toBeLessThanOrEqual(5);
      else expect(p.duplicateDeliveries).toBe(0);
      // Each obligation had its reminder, or had submitted before it fell due; every submission the Update took is stored.
      expect(p.remindersDelivered + p.submissionsAccepted).toBeGreaterThanOrEqual(p.obligations);
      expect(p.submissionsStored).toBe(p.submissionsAccepted);
      expect(p.submissionsAccepted).toBeGreaterThan(0);
    }
    // The relay was down from before the instant for 30 s: nothing could arrive sooner.
    expect(phases[1]!.lastReminderAfterInstantMs!).toBeGreaterThan(20_000);
    expect(ok).toBe(phases.every((p) => p.duplicateDeliveries === 0));
  }, 900_000);
});

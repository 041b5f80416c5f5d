// GET /health: each dependency's probe, separately; GET /ready: the two the API needs to serve.
import { Type } from '@fastify/type-provider-typebox';
import { StringEnum } from './common.js';

const Probe = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Number(),
  error: Type.Optional(Type.String({ description: 'Why it is down; credentials redacted' })),
});
export const HealthReply = Type.Object({
  status: StringEnum(['ok', 'degraded']),
  checks: Type.Object({ temporal: Probe, postgres: Probe, smtp: Probe }),
});
export const ReadyReply = Type.Object({
  status: StringEnum(['ready', 'not_ready']),
  checks: Type.Object({ temporal: Probe, postgres: Probe }),
});

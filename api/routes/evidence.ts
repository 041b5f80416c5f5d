// Evidence files of an obligation's report: upload (a streamed multipart form), list, download (an attachment, for those who may
// see the report) and withdraw (a draft's file). The service decides who may and what is kept; this maps HTTP onto it.
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../auth.js';
import { HttpError } from '../errors.js';
import { errors } from '../schemas/common.js';
import { WorkflowIdParams } from '../schemas/cycles.js';
import {
  EvidenceBytes,
  EvidenceFile,
  EvidenceFileParams,
  EvidenceList,
  EvidenceUpload,
  EvidenceWithdrawn,
} from '../schemas/evidence.js';
import type { EvidenceFile as StoredFile } from '../../db/repositories/evidence.js';
import type { EvidenceService, IncomingFile } from '../services/evidence.js';
import { unstorableInRequest } from '../storable-input.js';

export function evidenceView(f: StoredFile) {
  return {
    id: f.id,
    obligationId: f.obligationId,
    fileName: f.fileName,
    mediaType: f.mediaType,
    sizeBytes: f.sizeBytes,
    sha256: f.sha256,
    uploadedBy: f.uploadedBy,
    uploadedAt: f.uploadedAt,
    downloadUrl: `/api/v1/evidence/${f.id}`,
  };
}

/** `attachment` with the name in ASCII for old clients and in UTF-8 (RFC 6266/5987) for the rest. */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const utf8 = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** The one file of a multipart form, streamed (the field "file"); 400 for anything else, naming what is wrong. */
export async function readEvidencePart(
  request: FastifyRequest,
  maxFileBytes: number,
  /** Sees the form's fields that came before the file (a page's CSRF token), before a byte of the file is read. */
  checkFields?: (fields: Record<string, string>) => void,
): Promise<IncomingFile> {
  if (!request.isMultipart())
    throw new HttpError(
      400,
      'invalid_request',
      'body: send a multipart/form-data form with the file in the field "file"',
    );
  let part;
  try {
    part = await request.file({
      // One byte past the limit lets the service see "too large" (busboy would silently end the file there).
      limits: { fileSize: maxFileBytes + 1, files: 1, fields: 10, parts: 12 },
      throwFileSizeLimit: false,
    });
  } catch (err) {
    throw new HttpError(
      400,
      'malformed_multipart',
      `body: not a well-formed multipart/form-data body (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (part === undefined) throw new HttpError(400, 'invalid_request', 'body: the form has no file (field "file")');
  if (part.fieldname !== 'file') {
    part.file.resume();
    throw new HttpError(400, 'invalid_request', `body/${part.fieldname}: unexpected file field (use "file")`);
  }
  if (checkFields !== undefined) {
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(part.fields))
      if (value !== undefined && !Array.isArray(value) && value.type === 'field') fields[name] = String(value.value);
    try {
      checkFields(fields);
    } catch (err) {
      part.file.resume();
      throw err;
    }
  }
  // A browser sends the base name; a few old ones sent the whole path.
  const fileName = (part.filename ?? '').split(/[\\/]/).pop()!.trim() || 'file';
  const problems = unstorableInRequest({ body: { fileName } });
  if (problems.length > 0 || fileName.length > 255) {
    part.file.resume();
    throw new HttpError(
      400,
      'invalid_request',
      problems.length > 0
        ? `body/file: the file name holds text PostgreSQL cannot store`
        : 'body/file: the file name is longer than 255 characters',
    );
  }
  return { fileName, stream: part.file };
}

/**
 * After a refusal mid-upload (too large), the rest of the body is still coming: read and drop it, so the client, which is still
 * sending, gets the answer; past as much again as the file limit the connection is closed instead.
 */
export function discardRestOf(request: FastifyRequest, maxBytes: number): void {
  const raw = request.raw;
  if (raw.readableEnded || raw.destroyed) return;
  let dropped = 0;
  raw.unpipe();
  raw.on('data', (chunk: Buffer) => {
    dropped += chunk.byteLength;
    if (dropped > maxBytes) raw.socket.destroy();
  });
  raw.resume();
}

export async function sendEvidence(
  reply: FastifyReply,
  download: Awaited<ReturnType<EvidenceService['download']>>,
): Promise<FastifyReply> {
  const { file, stream } = download;
  return reply
    .header('content-type', file.mediaType)
    .header('content-length', String(file.sizeBytes))
    .header('content-disposition', attachmentDisposition(file.fileName))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .header('repr-digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`)
    .send(stream);
}

export const evidenceRoutes: FastifyPluginAsyncTypebox<{ evidence: EvidenceService }> = async (app, { evidence }) => {
  await app.register(multipart);
  const idOf = (raw: string): string => raw;

  app.post(
    '/api/v1/obligations/:id/evidence',
    {
      // The body is described in the OpenAPI document only (EvidenceUpload); the route streams it.
      config: { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: EvidenceUpload }, url }) },
      schema: {
        tags: ['evidence'],
        summary:
          "Upload one evidence file for the obligation's report (the agency that owes it, while it takes a report)",
        description:
          'multipart/form-data with the file in the field "file", streamed to the store. The type is read from the bytes ' +
          '(PDF, DOCX, XLSX, ODT, JPEG, PNG, MP4); 413 over the per-file or per-report limit, 415 another type or a name that ' +
          'disguises it, 409 when the obligation no longer takes a report — nothing is kept in any of these cases.',
        params: WorkflowIdParams,
        response: { 201: EvidenceFile, ...errors(404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      try {
        const file = await evidence.upload(principalOf(request), idOf(request.params.id), () =>
          readEvidencePart(request, evidence.limits.maxFileBytes),
        );
        return await reply.code(201).send(evidenceView(file));
      } catch (err) {
        discardRestOf(request, evidence.limits.maxFileBytes);
        throw err;
      }
    },
  );

  app.get(
    '/api/v1/obligations/:id/evidence',
    {
      schema: {
        tags: ['evidence'],
        summary: "The obligation's evidence files (not withdrawn), oldest first",
        params: WorkflowIdParams,
        response: { 200: EvidenceList, ...errors(404) },
      },
    },
    async (request) => {
      const { items, totalBytes } = await evidence.list(principalOf(request), idOf(request.params.id));
      return { items: items.map(evidenceView), totalBytes, limits: evidence.limits };
    },
  );

  app.get(
    '/api/v1/evidence/:fileId',
    {
      schema: {
        tags: ['evidence'],
        summary: "Download an evidence file (an attachment): the agency, the report's recipient, the PM Office, admins",
        params: EvidenceFileParams,
        response: { 200: EvidenceBytes, ...errors(404) },
      },
    },
    async (request, reply) => sendEvidence(reply, await evidence.download(principalOf(request), request.params.fileId)),
  );

  app.delete(
    '/api/v1/evidence/:fileId',
    {
      schema: {
        tags: ['evidence'],
        summary:
          "Withdraw a draft's evidence file (its agency, while the obligation takes a report); 409 once submitted",
        params: EvidenceFileParams,
        response: { 200: EvidenceWithdrawn, ...errors(404, 409) },
      },
    },
    async (request) => {
      const file = await evidence.withdraw(principalOf(request), request.params.fileId);
      return { id: file.id, withdrawn: true as const };
    },
  );
};

// Evidence files (a report's annexes): the upload, the rows shown, the download.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { EVIDENCE_MEDIA_TYPES } from '../evidence/sniff.js';
import { Binary, DateTime, List, Uuid } from './common.js';

export const EvidenceFileParams = Type.Object({ fileId: Uuid });
export type EvidenceFileParams = Static<typeof EvidenceFileParams>;

export const EvidenceFile = Type.Object({
  id: Uuid,
  obligationId: Type.String(),
  fileName: Type.String({ description: 'The name as uploaded (offered again on download)' }),
  mediaType: Type.String({
    enum: [...EVIDENCE_MEDIA_TYPES],
    description: 'Decided from the bytes, never from the name',
  }),
  sizeBytes: Type.Integer({ minimum: 1 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the bytes, lower-case hex' }),
  uploadedBy: Type.String(),
  uploadedAt: DateTime,
  downloadUrl: Type.String({ description: 'GET it with the same authorisation (an attachment)' }),
});

export const EvidenceList = Type.Object({
  items: List(EvidenceFile),
  totalBytes: Type.Integer({ minimum: 0, description: 'The live files together' }),
  limits: Type.Object({
    maxFileBytes: Type.Integer({ description: 'MERZIM_EVIDENCE_MAX_FILE_MB' }),
    maxReportBytes: Type.Integer({
      description: "MERZIM_EVIDENCE_MAX_REPORT_MB: the obligation's live files together",
    }),
  }),
});

export const EvidenceWithdrawn = Type.Object({ id: Uuid, withdrawn: Type.Literal(true) });

/** The upload, for the OpenAPI document only: a multipart form (no JSON Schema validator reads it; the route streams it). */
export const EvidenceUpload = {
  content: {
    'multipart/form-data': {
      schema: Type.Object({
        file: Binary('One file: PDF, DOCX, XLSX, ODT, JPEG, PNG or MP4 (the type is read from the bytes)'),
      }),
    },
  },
};

/** The download: the file's own type, as an attachment. */
export const EvidenceBytes = {
  content: Object.fromEntries(EVIDENCE_MEDIA_TYPES.map((t) => [t, { schema: Binary('The file as uploaded') }])),
};

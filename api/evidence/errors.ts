// What an evidence upload can fail with besides an HttpError (mapped to HTTP in api/errors.ts).

/** The upload's bytes stopped coming as a multipart body should (a malformed body, a connection cut off): nothing was kept. */
export class UploadInterrupted extends Error {
  constructor(readonly reason: unknown) {
    super(
      `body: the upload did not complete (${reason instanceof Error ? reason.message : String(reason)}); nothing was stored`,
    );
    this.name = 'UploadInterrupted';
  }
}

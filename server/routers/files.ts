import * as s from '../../shared/index.ts';
import { authedProcedure, router } from '../trpc/init.ts';

/** Uploads (multipart FormData over HTTP) and fresh download URLs. */
export const filesRouter = router({
  upload: authedProcedure
    .input(s.UploadInput)
    .output(s.File)
    .mutation(({ ctx, input }) => ctx.services.files.upload(ctx.user, input)),
  get: authedProcedure
    .input(s.FileIdInput)
    .output(s.File)
    .query(({ ctx, input }) => ctx.services.files.get(ctx.user, input.file_id)),
});

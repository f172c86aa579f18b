import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { camelInput } from '../trpc/camel.ts';
import { authedProcedure, router } from '../trpc/init.ts';

/** Collaborative documents (CONTRACT.md v2); the live stream is `realtime.doc`. */
export const docsRouter = router({
  create: authedProcedure
    .input(camelInput(s.DocCreateInput))
    .output(s.Document)
    .mutation(({ ctx, input }) => ctx.services.docs.create(ctx.user, input)),
  list: authedProcedure
    .input(s.DocListInput)
    .output(z.array(s.Document))
    .query(({ ctx, input }) => ctx.services.docs.list(ctx.user, input.group_id)),
  get: authedProcedure
    .input(s.DocIdInput)
    .output(s.DocumentWithContent)
    .query(({ ctx, input }) => ctx.services.docs.get(ctx.user, input.document_id)),
  setContent: authedProcedure
    .input(s.DocSetContentInput)
    .output(s.DocumentWithContent)
    .mutation(({ ctx, input }) => ctx.services.docs.setContent(ctx.user, input.document_id, input.content)),
  rename: authedProcedure
    .input(s.DocRenameInput)
    .output(s.Document)
    .mutation(({ ctx, input }) => ctx.services.docs.rename(ctx.user, input.document_id, input.title)),
  delete: authedProcedure
    .input(s.DocIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.docs.delete(ctx.user, input.document_id);
      return s.OK;
    }),
  push: authedProcedure
    .input(s.DocPushInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.docs.push(ctx.user, input.document_id, input.update);
      return s.OK;
    }),
  awareness: authedProcedure
    .input(s.DocAwarenessInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.docs.awareness(ctx.user, input.document_id, input.update);
      return s.OK;
    }),
});

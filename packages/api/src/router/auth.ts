import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import * as auth from "../domain/auth";
import { sessionOutput, signInInput, signUpInput, userOutput } from "../schemas/auth";
import { publicProcedure, signInAttempts, signUpAttempts } from "../trpc/procedures";

// Sign-in and sign-up are not replayed from idempotency records: a replay would have to
// store the session token, and a second session from a retried sign-in harms no one.
export const authProcedures = {
  signUp: publicProcedure
    .input(signUpInput)
    .concat(signUpAttempts)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      const session = await auth.signUp(ctx.db, input);
      ctx.cookies.set(session.token, session.expiresAt);
      return session;
    }),

  signIn: publicProcedure
    .input(signInInput)
    .concat(signInAttempts)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      const session = await auth.signIn(ctx.db, input);
      ctx.cookies.set(session.token, session.expiresAt);
      return session;
    }),

  signOut: publicProcedure.output(z.object({ signedOut: z.boolean() })).mutation(async ({ ctx }) => {
    ctx.cookies.clear();
    const signedOut = ctx.credentials ? await auth.signOut(ctx.db, ctx.credentials.token) : false;
    return { signedOut };
  }),

  me: publicProcedure.output(userOutput.nullable()).query(({ ctx }) => ctx.resolveViewer(ctx.db)),
} satisfies TRPCRouterRecord;

import type express from "express";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
// The request/response conversions of Remix's own Express adapter; only its handler is replaced.
import { createRemixRequest, sendRemixResponse } from "@remix-run/express/dist/server.js";
import { answerForDatabaseOutage, newRequestOutcome } from "../app/errors/database-outage.server";

/**
 * Remix behind Express, like `@remix-run/express`'s createRequestHandler, with one addition:
 * each request carries a RequestOutcome in its load context, so a failure that only means "the
 * database is away" is answered 503 + Retry-After (the admin, the API's clients and the channels
 * retry) rather than 500 (a bug).
 */
export function remixExpressHandler(build: ServerBuild | (() => Promise<ServerBuild>)): express.RequestHandler {
  const handleRequest = createRequestHandler(build, process.env.NODE_ENV);
  return (req, res, next) => {
    void (async () => {
      const request = createRemixRequest(req, res);
      const outcome = newRequestOutcome();
      const response = await handleRequest(request, { outcome });
      await sendRemixResponse(res, answerForDatabaseOutage(request, response, outcome));
    })().catch(next);
  };
}

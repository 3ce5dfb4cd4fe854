import type { Response } from 'express';
import type { ErrorCode } from '../shared/errors';
import { httpStatusOf } from './error-status';

/** `{"error": {"code", "message", "request_id"}}` — the one error shape of the API. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string };
}

export interface Outcome {
  status: number;
  body: unknown;
}

export const errorBody = (code: ErrorCode, message: string, request_id: string): ErrorBody => ({ error: { code, message, request_id } });

export const errorOutcome = (code: ErrorCode, message: string, request_id: string): Outcome => ({
  status: httpStatusOf(code),
  body: errorBody(code, message, request_id),
});

export function requestIdOf(res: Response): string {
  return (res.locals.request_id as string | undefined) ?? 'unknown';
}

/** Writes a JSON answer directly (no ETag hashing or freshness checks: API answers are not cached). */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

export function sendError(res: Response, code: ErrorCode, message: string): void {
  res.locals.error_code = code;
  const o = errorOutcome(code, message, requestIdOf(res));
  sendJson(res, o.status, o.body);
}

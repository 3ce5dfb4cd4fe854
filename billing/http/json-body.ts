import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { isBillingError } from '../shared/errors';
import { sendError } from './api-error';
import { localsOf } from './request-context';

export const BODY_LIMIT_BYTES = 16 * 1024;

const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * JSON bodies only, at most 16 kB. A POST with a body that is not `application/json` is refused
 * (validation_error 400) rather than silently read as empty; a POST without a body reads as `{}`.
 */
export function jsonBody() {
  const parse = express.json({ limit: BODY_LIMIT_BYTES, strict: true, type: ['application/json', 'application/*+json'] });
  return [
    (req: Request, res: Response, next: NextFunction): void => {
      if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH') return next();
      if (hasBody(req) && !req.is(['application/json', 'application/*+json'])) {
        return sendError(res, 'validation_error', 'the request body must be JSON, sent with "Content-Type: application/json"');
      }
      next();
    },
    parse,
    (req: Request, _res: Response, next: NextFunction): void => {
      if (req.body === undefined) req.body = {};
      next();
    },
  ];
}

interface BodyParserError { type?: string; status?: number; expose?: boolean }

/**
 * The API's last error handler: body-parser failures become validation_error, a BillingError keeps
 * its code, anything else is internal_error 500 whose message is never shown (it is logged).
 */
export function apiErrorHandler() {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const bp = err as BodyParserError;
    if (bp && typeof bp.type === 'string' && typeof bp.status === 'number' && bp.status < 500) {
      const message = bp.type === 'entity.too.large' ? `the request body is larger than ${BODY_LIMIT_BYTES} bytes`
        : bp.type === 'entity.parse.failed' ? 'the request body is not valid JSON'
        : bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported' ? 'the request body must be UTF-8 JSON'
        : 'the request body could not be read';
      return sendError(res, 'validation_error', message);
    }
    if (isBillingError(err) && err.code !== 'internal_error') return sendError(res, err.code, err.message);
    // Other client errors raised by express itself (e.g. a malformed percent-escape in the path).
    if (bp && typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) return sendError(res, 'validation_error', 'the request path or body could not be decoded');
    localsOf(res).log.error('unhandled error', { err });
    sendError(res, 'internal_error', 'something went wrong on our side; quote the request id to support');
  };
}

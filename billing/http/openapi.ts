import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import type { ErrorCode } from '../shared/errors';
import { HTTP_STATUS } from './error-status';
import {
  AuthorizationIdParams, AuthorizationResponse, AuthorizeRequest, BalanceRequest, BalanceResponse, CaptureRequest,
  ErrorResponse, IdempotencyHeaders, RefundRequest, RefundResponse, VoidRequest,
} from './schemas';

type Method = 'get' | 'post';
interface Endpoint {
  method: Method;
  path: string;
  summary: string;
  description: string;
  request?: ZodType;
  params?: boolean;
  idempotent?: boolean;
  ok: { status: number; schema: ZodType; description: string };
  errors: ErrorCode[];
}

const COMMON: ErrorCode[] = ['validation_error', 'unauthorized', 'rate_limited', 'internal_error'];
const CARD: ErrorCode[] = ['invalid_card_credentials', 'card_locked', 'card_inactive', 'card_suspended', 'card_closed', 'card_expired'];

export const ENDPOINTS: Endpoint[] = [
  {
    method: 'post', path: '/v1/authorizations', summary: 'Authorize (or charge) a card',
    description: 'Places a hold of `amount` on the card after checking its number and PIN. With `capture: true` the money is taken at once. Wrong PINs are counted per card across phone, site and API: after a few in a row the card is locked, each lockout longer, the last one until the issuer unlocks it. Failures also count per merchant and, with `customer_ip`, per customer address.',
    request: AuthorizeRequest, idempotent: true,
    ok: { status: 201, schema: AuthorizationResponse, description: 'The authorization (status `pending`, or `captured` with capture: true).' },
    errors: [...COMMON, ...CARD, 'insufficient_funds', 'currency_mismatch', 'idempotency_conflict'],
  },
  {
    method: 'post', path: '/v1/authorizations/{id}/capture', summary: 'Capture an authorization',
    description: 'Takes `amount` (default: all) of a pending authorization; the rest is released. A capture after expiry succeeds if the card still has the money available.',
    request: CaptureRequest, params: true, idempotent: true,
    ok: { status: 200, schema: AuthorizationResponse, description: 'The captured authorization.' },
    errors: [...COMMON, 'not_found', 'invalid_state', 'insufficient_funds', 'idempotency_conflict'],
  },
  {
    method: 'post', path: '/v1/authorizations/{id}/void', summary: 'Void an authorization',
    description: 'Releases a pending authorization; nothing is charged.',
    request: VoidRequest, params: true, idempotent: true,
    ok: { status: 200, schema: AuthorizationResponse, description: 'The voided authorization.' },
    errors: [...COMMON, 'not_found', 'invalid_state', 'idempotency_conflict'],
  },
  {
    method: 'get', path: '/v1/authorizations/{id}', summary: 'Retrieve an authorization',
    description: 'Only your own authorizations are visible; any other id answers not_found.',
    params: true,
    ok: { status: 200, schema: AuthorizationResponse, description: 'The authorization.' },
    errors: ['validation_error', 'unauthorized', 'not_found', 'rate_limited', 'internal_error'],
  },
  {
    method: 'post', path: '/v1/refunds', summary: 'Refund a captured authorization',
    description: 'Returns captured money to the card, in part or whole; the total refunded never exceeds what was captured.',
    request: RefundRequest, idempotent: true,
    ok: { status: 201, schema: RefundResponse, description: 'The refund, with the authorization after it.' },
    errors: [...COMMON, 'not_found', 'invalid_state', 'idempotency_conflict'],
  },
  {
    method: 'post', path: '/v1/balance', summary: 'Check a card\'s balance',
    description: 'Checks the number and PIN (failures count like any other PIN attempt) and answers the balance.',
    request: BalanceRequest,
    ok: { status: 200, schema: BalanceResponse, description: 'The card\'s balance.' },
    errors: [...COMMON, ...CARD],
  },
];

function buildDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.register('Error', ErrorResponse);
  const bearer = registry.registerComponent('securitySchemes', 'merchantKey', {
    type: 'http', scheme: 'bearer', description: 'Your merchant API key (`sk_…`), created with `prepaid merchants create`.',
  });
  for (const e of ENDPOINTS) {
    const responses: Record<string, { description: string; content: { 'application/json': { schema: ZodType } } }> = {
      [e.ok.status]: { description: e.ok.description, content: { 'application/json': { schema: e.ok.schema } } },
    };
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of e.errors) byStatus.set(HTTP_STATUS[code], [...(byStatus.get(HTTP_STATUS[code]) ?? []), code]);
    for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      responses[status] = { description: codes.map((c) => `\`${c}\``).join(', '), content: { 'application/json': { schema: ErrorResponse } } };
    }
    registry.registerPath({
      method: e.method,
      path: e.path,
      summary: e.summary,
      description: e.description,
      security: [{ [bearer.name]: [] }],
      request: {
        ...(e.params ? { params: AuthorizationIdParams } : {}),
        ...(e.idempotent ? { headers: IdempotencyHeaders } : {}),
        ...(e.request ? { body: { required: e.method === 'post' && e.request !== VoidRequest && e.request !== CaptureRequest, content: { 'application/json': { schema: e.request } } } } : {}),
      },
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Prepaid card settlement API',
      version: '1.0.0',
      description: 'Authorize, capture, void and refund payments drawn on prepaid cards — the same balance callers spend by phone. Amounts are integers in minor units. Errors are `{"error": {"code", "message", "request_id"}}` with stable codes.',
    },
    servers: [{ url: '/' }],
  });
}

let cached: ReturnType<typeof buildDocument> | undefined;
/** The OpenAPI 3.1 document, generated once from the schemas that validate requests. */
export function openApiDocument(): ReturnType<typeof buildDocument> {
  cached ??= buildDocument();
  return cached;
}

import type { Request, Response, Router } from 'express';
import type { Billing } from '../billing';
import type { AuthSource } from '../cards/card-auth';
import { authenticateInOneRead } from '../cards/card-auth-one-statement';
import { authorizeInOneStatement, captureInOneStatementForMerchant, voidInOneStatementForMerchant } from '../settlement/settlement-one-statement';
import { authorize, balance, balanceView, capture, getAuthorization, refund, voidAuthorization } from '../settlement/settlement';
import { sendError, sendJson } from './api-error';
import type { ApiMetrics } from './api-metrics';
import { clientIpKey } from './client-ip';
import { outcomeOf, runMoneyMove } from './idempotent-run';
import type { MoneyMove, RunOutcome } from './idempotent-run';
import { merchantOf } from './merchant-auth';
import { localsOf } from './request-context';
import { AuthorizationIdParams, AuthorizeRequest, BalanceRequest, CaptureRequest, IdempotencyHeaders, RefundRequest, VoidRequest } from './schemas';
import { validate } from './validate';

const idempotencyKey = IdempotencyHeaders.shape['idempotency-key'];

function send(res: Response, out: RunOutcome): void {
  if (out.code) localsOf(res).error_code = out.code;
  if (out.replayed) res.setHeader('Idempotent-Replayed', 'true');
  sendJson(res, out.status, out.body);
}

/** Validates the Idempotency-Key header; answers validation_error and returns null when it is bad. */
function keyOf(req: Request, res: Response): { key: string | undefined } | null {
  const k = validate(idempotencyKey, req.get('idempotency-key'), 'Idempotency-Key');
  if (!k.ok) {
    sendError(res, 'validation_error', k.message);
    return null;
  }
  return { key: k.data };
}

/**
 * Who is trying a card over the API: the merchant (its own budget of failures: card-testing
 * protection) and, when the merchant tells us, its customer's address. Never the address of the
 * request, which is the merchant's server: keying on it would let one merchant's customers
 * mistyping PINs lock that merchant out.
 */
function cardSource(merchant_id: number, customer_ip: string | undefined): AuthSource {
  return { merchant_key: `merchant:${merchant_id}`, ...(customer_ip ? { throttle_key: clientIpKey(customer_ip) } : {}) };
}

/** The /v1 endpoints (PRODUCT.md "Settlement HTTP API"), added to `r` after auth, limits and body parsing. */
export function addSettlementRoutes(r: Router, billing: Billing, metrics: ApiMetrics): Router {
  const move = (res: Response, m: Omit<MoneyMove, 'request_id' | 'merchant_id'>) =>
    runMoneyMove(billing, { ...m, request_id: localsOf(res).request_id, merchant_id: merchantOf(res).id });

  r.post('/authorizations', async (req, res) => {
    const body = validate(AuthorizeRequest, req.body);
    if (!body.ok) { metrics.authorizations.inc({ outcome: 'validation_error' }); return sendError(res, 'validation_error', body.message); }
    const k = keyOf(req, res);
    if (!k) return;
    const merchant_id = merchantOf(res).id;
    const b = body.data;
    const source = cardSource(merchant_id, b.customer_ip);
    const out = await move(res, {
      key: k.key,
      // Hashed only when a key needs it (keyed hashes: the stored fingerprint reveals no number or PIN).
      fingerprint: k.key === undefined ? null : (() => {
        const number_hash = billing.hasher.cardNumber(b.card_number);
        return ['POST /v1/authorizations', { ...b, card_number: number_hash, pin: billing.hasher.pin(number_hash, b.pin) }];
      })(),
      source,
      okStatus: 201,
      op: (ctx) => authorize(ctx, merchant_id, b, source),
      oneStatement: (ctx, idempotency) => authorizeInOneStatement(ctx, merchant_id, b, source, idempotency),
    });
    metrics.authorizations.inc({ outcome: out.code ?? 'ok' });
    send(res, out);
  });

  const onAuthorization = (action: 'capture' | 'void') => async (req: Request, res: Response) => {
    const params = validate(AuthorizationIdParams, req.params, 'id');
    if (!params.ok) return sendError(res, 'validation_error', params.message);
    const body = action === 'capture' ? validate(CaptureRequest, req.body) : validate(VoidRequest, req.body);
    if (!body.ok) return sendError(res, 'validation_error', body.message);
    const k = keyOf(req, res);
    if (!k) return;
    const merchant_id = merchantOf(res).id;
    const id = params.data.id;
    const amount = (body.data as { amount?: number }).amount;
    send(res, await move(res, {
      key: k.key,
      fingerprint: [`POST /v1/authorizations/${id}/${action}`, body.data],
      okStatus: 200,
      op: (ctx) => (action === 'capture' ? capture(ctx, merchant_id, id, amount) : voidAuthorization(ctx, merchant_id, id)),
      oneStatement: (ctx, idempotency) => (action === 'capture'
        ? captureInOneStatementForMerchant(ctx, merchant_id, id, amount, idempotency)
        : voidInOneStatementForMerchant(ctx, merchant_id, id, idempotency)),
    }));
  };
  r.post('/authorizations/:id/capture', onAuthorization('capture'));
  r.post('/authorizations/:id/void', onAuthorization('void'));

  r.get('/authorizations/:id', async (req, res) => {
    const params = validate(AuthorizationIdParams, req.params, 'id');
    if (!params.ok) return sendError(res, 'validation_error', params.message);
    send(res, outcomeOf(await getAuthorization(billing.read(), merchantOf(res).id, params.data.id), 200, localsOf(res).request_id));
  });

  r.post('/refunds', async (req, res) => {
    const body = validate(RefundRequest, req.body);
    if (!body.ok) return sendError(res, 'validation_error', body.message);
    const k = keyOf(req, res);
    if (!k) return;
    const merchant_id = merchantOf(res).id;
    const b = body.data;
    send(res, await move(res, {
      key: k.key,
      fingerprint: ['POST /v1/refunds', b],
      okStatus: 201,
      op: (ctx) => refund(ctx, merchant_id, b.authorization_id, b.amount, b.reason ?? null),
    }));
  });

  r.post('/balance', async (req, res) => {
    const body = validate(BalanceRequest, req.body);
    if (!body.ok) return sendError(res, 'validation_error', body.message);
    const b = body.data;
    const source = cardSource(merchantOf(res).id, b.customer_ip);
    send(res, await move(res, {
      key: undefined, // not money-moving: no Idempotency-Key
      fingerprint: null,
      source,
      okStatus: 200,
      op: (ctx) => balance(ctx, b.card_number, b.pin, source),
      oneStatement: async (ctx) => {
        const card = await authenticateInOneRead(ctx, b.card_number, b.pin, source);
        return card ? { status: 200, body: balanceView(card) } : null;
      },
    }));
  });

  return r;
}

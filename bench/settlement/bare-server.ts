import http from 'node:http';
import express from 'express';
import { createExpressServer } from '../../billing/http/express-server';

/**
 * The baseline: bare express parsing a JSON body and answering a JSON object of the same size as
 * an authorization, no database. Prints {"url": …} on stdout once listening.
 * With `--product-server`, its HTTP server is made as the product makes its own
 * (billing/http/express-server.ts: no per-request prototype swap): the stricter ceiling.
 */
const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '16kb' }));
let n = 0;
app.post('/v1/authorizations', (req, res) => {
  const b = req.body as { amount?: number; currency?: string; card_number?: string };
  const now = new Date().toISOString();
  res.status(201).json({
    id: `auth_${(n++).toString(36).padStart(22, '0')}`, status: 'captured', amount: b.amount, captured_amount: b.amount, refunded_amount: 0,
    currency: b.currency, reference: null, description: null, card: { last4: String(b.card_number).slice(-4), balance: 100000, available: 100000 },
    expires_at: now, created_at: now,
  });
});
const server = process.argv.includes('--product-server') ? createExpressServer(app) : http.createServer(app);
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));

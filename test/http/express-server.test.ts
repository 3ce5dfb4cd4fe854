import http from 'node:http';
import { expect } from 'chai';
import express from 'express';
import { createExpressServer } from '../../billing/http/express-server';
import { call } from './support/api-server';

describe('createExpressServer: requests born express objects (no per-request prototype swap)', () => {
  let server: http.Server;
  let url: string;
  let app: express.Express;
  const protoOnArrival: unknown[] = [];

  before(async () => {
    app = express();
    app.disable('x-powered-by');
    app.set('trust proxy', 'loopback');
    const router = express.Router();
    router.get('/probe/:id', (req, res) => {
      res.locals.seen = 'yes';
      res.status(202).json({
        id: req.params.id, ip: req.ip, header: req.get('x-probe') ?? null, is_app: req.app === app,
        is_incoming: req instanceof http.IncomingMessage, is_response: res instanceof http.ServerResponse, locals: res.locals.seen,
      });
    });
    app.use('/v1', router);
    server = createExpressServer(app);
    // Runs before express's own listener: what node constructed, before express could swap anything.
    server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      protoOnArrival.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const a = server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('node constructs each request and response with the app\'s own prototypes, so express finds nothing to change', async () => {
    protoOnArrival.length = 0;
    await call(url, 'GET', '/v1/probe/1');
    await call(url, 'GET', '/v1/probe/2');
    expect(protoOnArrival).to.deep.equal([true, true]);
  });

  it('keeps express\'s request and response helpers: params, req.ip behind a trusted proxy, req.get, req.app, res.json, res.locals', async () => {
    const r = await call(url, 'GET', '/v1/probe/abc', { headers: { 'x-probe': 'p1', 'x-forwarded-for': '203.0.113.7' } });
    expect(r.status).to.equal(202);
    expect(r.headers.get('content-type')).to.match(/^application\/json/);
    expect(r.body).to.deep.equal({ id: 'abc', ip: '203.0.113.7', header: 'p1', is_app: true, is_incoming: true, is_response: true, locals: 'yes' });
  });

  it('answers what no route takes with express\'s own 404', async () => {
    const r = await call(url, 'GET', '/nothing-here');
    expect(r.status).to.equal(404);
    expect(String(r.body.raw)).to.include('Cannot GET /nothing-here');
  });
});

import http from 'node:http';
import type { Express, Request, Response } from 'express';

/**
 * The HTTP server for an express app, its requests and responses BORN express objects.
 *
 * Express hands every request to its app after `Object.setPrototypeOf(req, app.request)` (and the
 * same for `res`): each request object changes its prototype once it exists. V8 then drops the
 * object's fast shape, and every property access on it — in node's own HTTP code as much as in
 * express and in ours — takes a slow path for the rest of the request. Measured on the 2-core
 * machine (bench/settlement's bare endpoint): 184 µs of CPU per request with the swap, 56 µs
 * without it; a bare node:http handler doing the same work took 23 µs. (A known cost:
 * expressjs/express#5998, nodejs/node#37457.)
 *
 * Here node's server constructs each request and response from subclasses whose prototypes ARE the
 * app's `request` and `response` objects (express's methods and `req.app` inherited from them as
 * before). Express's swap then finds the prototype already in place and V8 does nothing. Nothing
 * else changes: the same app, the same middleware, the same objects' methods. One app per server:
 * a sub-app mounted with `app.use(subApp)` would swap to its own prototypes again (correct, only
 * slower for its routes); the product mounts routers, not sub-apps.
 */
export function createExpressServer(app: Express): http.Server {
  class ExpressRequest extends http.IncomingMessage {}
  class ExpressResponse extends http.ServerResponse {}
  // ExpressRequest.prototype → app.request → express's request methods → http.IncomingMessage.prototype
  Object.setPrototypeOf(ExpressRequest.prototype, app.request);
  Object.setPrototypeOf(ExpressResponse.prototype, app.response);
  app.request = ExpressRequest.prototype as unknown as Request;
  app.response = ExpressResponse.prototype as unknown as Response;
  return http.createServer({ IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse }, app);
}

import type { NextFunction, Request, Response } from 'express';

type Middleware = (req: Request, res: Response, next: NextFunction) => unknown;

/**
 * Runs middleware in order as ONE express layer (express 5 semantics: a rejected promise or a
 * thrown error goes to `next(err)`; `next('route')`/`next('router')` are passed up unchanged).
 */
export function chain(fns: readonly Middleware[]) {
  return (req: Request, res: Response, done: NextFunction): void => {
    let i = 0;
    const next = (err?: unknown): void => {
      if (err !== undefined || i >= fns.length) return done(err as Error | undefined);
      const fn = fns[i++]!;
      try {
        const r = fn(req, res, next);
        if (r instanceof Promise) r.catch((e: unknown) => done(e ?? new Error('rejected')));
      } catch (e) {
        done(e as Error);
      }
    };
    next();
  };
}

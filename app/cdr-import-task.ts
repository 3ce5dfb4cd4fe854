import type { Billing } from '../billing/billing';
import { importCdrFile } from '../billing/calls/cdr/cdr-file';
import type { Logger } from '../billing/shared/logger';
import type { CdrConfig } from './config';
import type { BackgroundTask } from './deps';

/**
 * Reads Asterisk's CDR file every `pollMs` (at most 8 chunks of 1 MiB a tick, resuming where the
 * last read stopped) and bills the calls that ended while the IVR was away. A missing file is logged
 * once until it appears (Asterisk creates it with its first row).
 */
export function createCdrImportTask(billing: Billing, cdr: CdrConfig, logger: Logger): BackgroundTask {
  const log = logger.child({ component: 'cdr-import', file: cdr.file });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let missingLogged = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    running = importCdrFile(billing, cdr.file, { maxChunks: 8, now_ms: () => Date.now() }).then(
      (r) => {
        missingLogged = false;
        if (r.restarted) log.warn('CDR file was rotated or truncated: read again from its start', {});
        if (r.rejected_count > 0) log.warn('CDR lines skipped: not CDRs of the expected format', { count: r.rejected_count, first: r.rejected.slice(0, 3) });
        for (const b of r.billed) log.info('call billed from its CDR', { call_id: b.call_id, talk_s: b.talk_s, billed_s: b.billed_s, cost_minor: b.cost_minor });
        for (const m of r.mismatched) log.warn('CDR rows do not fit their call: left awaiting', { call_id: m.call_id, reason: m.reason });
        if (r.missing > 0) log.warn('calls whose CDR never came while their holds lasted: their reconcile bill is final', { count: r.missing });
      },
      (err: unknown) => {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          if (!missingLogged) log.warn('CDR file not found (yet): is cdr_custom loaded and its folder created?', {});
          missingLogged = true;
        } else {
          log.error('CDR import failed (retried)', { error: err instanceof Error ? err.message : String(err) });
        }
      },
    ).finally(() => { busy = false; });
  };
  return {
    name: 'cdr-import',
    start() { timer = setInterval(tick, cdr.pollMs); timer.unref(); tick(); },
    async stop() { if (timer) clearInterval(timer); await running; },
  };
}

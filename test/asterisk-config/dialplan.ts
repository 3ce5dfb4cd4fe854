import type { ConfError, ConfFile } from './conf-parser';

/**
 * extensions.conf on top of the generic parser: each context's steps
 * (`exten => <ext>,<priority>[(<label>)],<App>(<args>)` and `same => …`), checked for syntax, plus
 * a small walker that follows Goto()s to see where a dialled number ends up.
 */
export interface DialplanStep {
  readonly context: string;
  readonly exten: string;
  readonly priority: string;
  readonly label: string | undefined;
  readonly app: string;
  readonly args: readonly string[];
  readonly line: number;
}

export interface Dialplan {
  readonly contexts: ReadonlyMap<string, { readonly steps: DialplanStep[]; readonly includes: string[] }>;
  readonly errors: ConfError[];
}

/** Applications this dialplan may use; a typo in an application name fails the test. */
export const KNOWN_APPS: ReadonlySet<string> = new Set([
  'Answer', 'Background', 'Busy', 'Congestion', 'Dial', 'Gosub', 'Goto', 'GotoIf', 'Hangup', 'Log', 'NoOp',
  'Playback', 'Progress', 'Return', 'Ringing', 'Set', 'Stasis', 'Verbose', 'Wait',
]);

const NON_CONTEXT_SECTIONS = new Set(['general', 'globals']);
const EXTEN = /^(?:[0-9A-Za-z*#+]+|_(?:[0-9XZNxzn*#+.!]|\[[0-9+*#-]+\])+)$/;
const STEP = /^([^,]+),\s*(\d+|n)(?:\(([A-Za-z0-9_-]+)\))?,\s*(.+)$/;
const SAME = /^(\d+|n)(?:\(([A-Za-z0-9_-]+)\))?,\s*(.+)$/;
const APP = /^([A-Za-z][A-Za-z0-9_]*)(?:\((.*)\))?$/s;

/** Splits application arguments on top-level commas (not inside (), ${}, $[] or quotes). */
export function splitArgs(args: string): string[] | null {
  const out: string[] = [];
  const stack: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of args) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '(' || ch === '{' || ch === '[')) stack.push(ch);
    else if (!quoted && (ch === ')' || ch === '}' || ch === ']')) {
      const open = stack.pop();
      if (open !== { ')': '(', '}': '{', ']': '[' }[ch]) return null;
    } else if (!quoted && ch === ',' && stack.length === 0) {
      out.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (stack.length > 0 || quoted) return null;
  out.push(current.trim());
  return out;
}

export function parseDialplan(conf: ConfFile): Dialplan {
  const contexts = new Map<string, { steps: DialplanStep[]; includes: string[] }>();
  const errors: ConfError[] = [];
  for (const section of conf.sections) {
    if (NON_CONTEXT_SECTIONS.has(section.name)) continue;
    const context = contexts.get(section.name) ?? { steps: [], includes: [] };
    contexts.set(section.name, context);
    let exten: string | undefined;
    for (const entry of section.entries) {
      const fail = (reason: string) => errors.push({ line: entry.line, text: `${entry.key} => ${entry.value}`, reason });
      if (entry.key === 'include') {
        context.includes.push(entry.value);
        continue;
      }
      let priority: string;
      let label: string | undefined;
      let application: string;
      if (entry.key === 'exten') {
        const m = STEP.exec(entry.value);
        if (!m) {
          fail('expected exten => <extension>,<priority>,<Application>(<args>)');
          continue;
        }
        [exten, priority, label, application] = [m[1]?.trim() ?? '', m[2] ?? '', m[3], m[4] ?? ''];
        if (!EXTEN.test(exten)) fail(`"${exten}" is neither an extension nor a _pattern`);
        if (priority !== '1' && !context.steps.some((s) => s.exten === exten)) fail(`extension "${exten}" must start at priority 1`);
      } else if (entry.key === 'same') {
        const m = SAME.exec(entry.value);
        if (!m) {
          fail('expected same => <priority>,<Application>(<args>)');
          continue;
        }
        if (exten === undefined) {
          fail('"same =>" with no "exten =>" above it in this context');
          continue;
        }
        [priority, label, application] = [m[1] ?? '', m[2], m[3] ?? ''];
      } else {
        fail(`"${entry.key}" is not a dialplan line (exten, same, include)`);
        continue;
      }
      const app = APP.exec(application.trim());
      const args = app ? splitArgs(app[2] ?? '') : null;
      if (!app || args === null) {
        fail('expected Application(arguments) with balanced brackets and quotes');
        continue;
      }
      if (!KNOWN_APPS.has(app[1] ?? '')) fail(`unknown application "${app[1]}"`);
      if (!entry.arrow) fail(`write "${entry.key} =>"`);
      context.steps.push({ context: section.name, exten, priority, label, app: app[1] ?? '', args, line: entry.line });
    }
  }
  return { contexts, errors };
}

/** Does an extension (literal or `_pattern`) match a dialled string, as Asterisk matches it? */
export function extenMatches(exten: string, dialled: string): boolean {
  if (!exten.startsWith('_')) return exten === dialled;
  let source = '';
  for (const token of exten.slice(1).match(/\[[^\]]*\]|./g) ?? []) {
    if (token.startsWith('[')) source += `[${token.slice(1, -1).replace(/[\\^\]]/g, '\\$&')}]`;
    else source += { X: '[0-9]', Z: '[1-9]', N: '[2-9]', '.': '.+', '!': '.*' }[token.toUpperCase()] ?? token.replace(/[+*#]/g, '\\$&');
  }
  return new RegExp(`^${source}$`).test(dialled);
}

/** The steps of the extension that answers `dialled` in `context`: an exact match first, then the first pattern. */
export function stepsFor(plan: Dialplan, context: string, dialled: string): DialplanStep[] {
  const steps = plan.contexts.get(context)?.steps ?? [];
  const exact = steps.filter((s) => s.exten === dialled);
  if (exact.length > 0) return exact;
  const pattern = steps.find((s) => s.exten.startsWith('_') && extenMatches(s.exten, dialled));
  return pattern ? steps.filter((s) => s.exten === pattern.exten) : [];
}

/** Replaces ${EXTEN} and ${EXTEN:n} as Asterisk would for `dialled`. */
export function substitute(text: string, dialled: string): string {
  return text.replace(/\$\{EXTEN(?::(\d+))?\}/g, (_, skip: string | undefined) => dialled.slice(Number(skip ?? 0)));
}

/**
 * Follows a call from `context`/`dialled` through unconditional Goto()s (at most 10) and returns
 * the first non-trivial step it reaches with ${EXTEN} substituted, or null when nothing matches.
 */
export function route(plan: Dialplan, context: string, dialled: string): { step: DialplanStep; args: string[] } | null {
  let [ctx, ext] = [context, dialled];
  for (let hops = 0; hops < 10; hops++) {
    const steps = stepsFor(plan, ctx, ext).filter((s) => s.app !== 'NoOp' && s.app !== 'Verbose' && s.app !== 'Log');
    const first = steps[0];
    if (!first) return null;
    const args = first.args.map((a) => substitute(a, ext));
    if (first.app !== 'Goto') return { step: first, args };
    if (args.length !== 3) return { step: first, args };
    [ctx, ext] = [args[0] ?? '', args[1] ?? ''];
  }
  throw new Error(`Goto loop from ${context}/${dialled}`);
}

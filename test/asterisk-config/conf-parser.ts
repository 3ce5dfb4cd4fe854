/**
 * A small parser for Asterisk's configuration syntax (main/config.c), strict enough to fail on
 * any line Asterisk would not read the way we mean:
 *   [section]  [section](!)  [section](template1,template2)  [section](+)
 *   key = value   key => value   (exten => …, same => …, include => … are key => value)
 *   ; comment to end of line   \; a literal semicolon   ;-- block comment --;
 *   #include file   #tryinclude file   #exec command
 */
export interface ConfEntry {
  readonly key: string;
  readonly value: string;
  /** Written with "=>" rather than "=". */
  readonly arrow: boolean;
  readonly line: number;
}

export interface ConfSection {
  readonly name: string;
  readonly line: number;
  /** "[name](!)": a template, only copied into other sections. */
  readonly isTemplate: boolean;
  /** "[name](+)": adds entries to an earlier section of the same name. */
  readonly isAddition: boolean;
  /** "[name](a,b)": templates whose entries come before this section's own. */
  readonly inherits: readonly string[];
  readonly entries: ConfEntry[];
}

export interface ConfError {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

export interface ConfFile {
  readonly sections: ConfSection[];
  readonly includes: string[];
  readonly errors: ConfError[];
}

const NAME = /^[A-Za-z0-9_.+-]+$/;
const SECTION = /^\[([^\]]*)\](?:\(([^)]*)\))?$/;
const DIRECTIVE = /^#(include|tryinclude|exec)\s+("[^"]+"|<[^>]+>|\S+)$/;
const ENTRY = /^([A-Za-z0-9_.-]+)\s*(=>|=)\s*(.*)$/;

/**
 * Removes comments from one line, as main/config.c does: ";" to the end of the line, unless
 * written "\\;"; ";--" (but not ";---") opens a block comment that "--;" closes, and blocks nest.
 * `state.depth` carries open blocks across lines.
 */
function stripComments(raw: string, state: { depth: number }): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const opensBlock = raw.startsWith(';--', i) && raw[i + 3] !== '-';
    if (state.depth > 0) {
      if (opensBlock) {
        state.depth += 1;
        i += 2;
      } else if (raw.startsWith('--;', i)) {
        state.depth -= 1;
        i += 2;
      }
      continue;
    }
    if (raw[i] === '\\' && raw[i + 1] === ';') {
      out += ';';
      i += 1;
    } else if (opensBlock) {
      state.depth = 1;
      i += 2;
    } else if (raw[i] === ';') {
      break;
    } else {
      out += raw[i];
    }
  }
  return out.trim();
}

function parseSectionOptions(options: string | undefined): { isTemplate: boolean; isAddition: boolean; inherits: string[] } | string {
  const result = { isTemplate: false, isAddition: false, inherits: [] as string[] };
  if (options === undefined) return result;
  for (const option of options.split(',').map((o) => o.trim())) {
    if (option === '!') result.isTemplate = true;
    else if (option === '+') result.isAddition = true;
    else if (NAME.test(option)) result.inherits.push(option);
    else return `bad section option "${option}"`;
  }
  return result;
}

export function parseConf(text: string): ConfFile {
  const sections: ConfSection[] = [];
  const includes: string[] = [];
  const errors: ConfError[] = [];
  const state = { depth: 0 };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = stripComments(raw, state);
    if (content === '') return;
    const fail = (reason: string) => errors.push({ line, text: raw, reason });

    const directive = DIRECTIVE.exec(content);
    if (directive) {
      includes.push((directive[2] ?? '').replace(/^["<]|[">]$/g, ''));
      return;
    }
    if (content.startsWith('[')) {
      const match = SECTION.exec(content);
      if (!match || !NAME.test(match[1] ?? '')) return fail('not a valid [section] header');
      const options = parseSectionOptions(match[2]);
      if (typeof options === 'string') return fail(options);
      sections.push({ name: match[1] ?? '', line, ...options, entries: [] });
      return;
    }
    const entry = ENTRY.exec(content);
    if (!entry) return fail('not a [section], #directive or key = value');
    const section = sections.at(-1);
    if (!section) return fail('key = value before the first [section]');
    section.entries.push({ key: entry[1] ?? '', arrow: entry[2] === '=>', value: (entry[3] ?? '').trim(), line });
  });
  if (state.depth > 0) errors.push({ line: lines.length, text: '', reason: 'block comment ";--" never closed' });
  return { sections, includes, errors };
}

/** The sections called `name`, in file order (PJSIP objects of different types share names). */
export function sectionsNamed(conf: ConfFile, name: string): ConfSection[] {
  return conf.sections.filter((s) => s.name === name);
}

/**
 * A section's entries with its templates' entries first, as Asterisk applies them. A template
 * must be defined before the section that uses it; an unknown one throws.
 */
export function effectiveEntries(conf: ConfFile, section: ConfSection, depth = 0): ConfEntry[] {
  if (depth > 10) throw new Error(`template chain too deep at [${section.name}]`);
  const inherited = section.inherits.flatMap((name) => {
    const template = conf.sections.filter((s) => s.name === name && s.line < section.line).at(-1);
    if (!template) throw new Error(`[${section.name}] (line ${section.line}) uses template "${name}", not defined above it`);
    return effectiveEntries(conf, template, depth + 1);
  });
  return [...inherited, ...section.entries];
}

/** The last value of `key` (later settings win), or undefined. */
export function valueOf(entries: readonly ConfEntry[], key: string): string | undefined {
  return entries.filter((e) => e.key === key).at(-1)?.value;
}

/** Every value of `key`, each split on commas (for allow=, match=, aors=). */
export function listOf(entries: readonly ConfEntry[], key: string): string[] {
  return entries
    .filter((e) => e.key === key)
    .flatMap((e) => e.value.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export interface ConfObject {
  readonly name: string;
  readonly type: string | undefined;
  readonly section: ConfSection;
  readonly entries: ConfEntry[];
}

/** Non-template sections with their effective entries and `type` (PJSIP, ari.conf). */
export function objects(conf: ConfFile): ConfObject[] {
  return conf.sections
    .filter((s) => !s.isTemplate)
    .map((section) => {
      const entries = effectiveEntries(conf, section);
      return { name: section.name, type: valueOf(entries, 'type'), section, entries };
    });
}

export function formatErrors(file: string, errors: readonly ConfError[]): string[] {
  return errors.map((e) => `${file}:${e.line}: ${e.reason}: ${e.text.trim()}`);
}

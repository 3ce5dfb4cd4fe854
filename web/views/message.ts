import { html } from '../html';
import type { SafeHtml } from '../html';

/** A plain page with a heading, a sentence and a way on (errors, used links, rate limits). */
export function messageView(o: { title: string; text: string; link?: { href: string; label: string } }): SafeHtml {
  return html`<h1>${o.title}</h1>
<p class="lead">${o.text}</p>
${o.link ? html`<p><a class="button secondary" href="${o.link.href}">${o.link.label}</a></p>` : ''}`;
}

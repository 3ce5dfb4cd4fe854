import { html } from '../html';
import type { SafeHtml } from '../html';

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** The sandbox payment provider is active: every page says so. */
  sandbox: boolean;
  /** Which nav item is current. */
  nav?: 'home' | 'buy' | 'recharge' | 'balance' | 'phone';
  /** The built-in telephony sandbox runs (no Asterisk configured): link its web phone. */
  phone?: boolean;
  /** The support address (SITE_SUPPORT_EMAIL), in the footer of every site page. */
  support?: string;
}

const NAV: ReadonlyArray<readonly ['home' | 'buy' | 'recharge' | 'balance', string, string]> = [
  ['buy', '/buy', 'Buy a card'],
  ['recharge', '/recharge', 'Recharge'],
  ['balance', '/balance', 'Balance & history'],
];

export function page(o: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.title} · Cyber Card</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${o.sandbox ? html`<p class="sandbox-strip" role="note"><strong>SANDBOX</strong> — test payments only, no real money is charged.</p>` : ''}
<header class="site-header">
  <div class="wrap header-row">
    <a class="brand" href="/"${o.nav === 'home' ? html` aria-current="page"` : ''}><span class="brand-mark" aria-hidden="true">◆</span> Cyber Card</a>
    <nav aria-label="Main">
      <ul>
        ${NAV.map(([key, href, label]) => html`<li><a href="${href}"${o.nav === key ? html` aria-current="page"` : ''}>${label}</a></li>`)}
        ${o.phone ? html`<li><a href="/phone"${o.nav === 'phone' ? html` aria-current="page"` : ''}>Sandbox phone</a></li>` : ''}
      </ul>
    </nav>
  </div>
</header>
<main id="main" class="wrap" tabindex="-1">
${o.body}
</main>
<footer class="site-footer"><div class="wrap">One prepaid card for phone calls and online payments. Card numbers and PINs are never sent in a link or stored in clear.${o.support ? html` <span class="nowrap">Help: <a href="mailto:${o.support}">${o.support}</a></span>` : ''}</div></footer>
</body>
</html>
`.value;
}

import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { MailMessage, MailTransport } from '../../billing/mail/mail-transport';

/** SMTP through nodemailer (SMTP_URL), with bounded timeouts so one stuck server cannot stall the outbox. */
export class SmtpTransport implements MailTransport {
  private readonly t: Transporter;
  constructor(smtpUrl: string, private readonly from: string) {
    this.t = nodemailer.createTransport(smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never);
  }
  async send(m: MailMessage): Promise<{ message_id: string | null }> {
    const info = await this.t.sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text, html: m.html, ...(m.reply_to ? { replyTo: m.reply_to } : {}) });
    return { message_id: info.messageId ?? null };
  }
  close(): void {
    this.t.close();
  }
}

/**
 * Without SMTP_URL, mail is built by nodemailer's stream transport and written as .eml files into
 * DATA_DIR/outbox (mode 0600): the local mail spool of the embedded default, readable by any mail client.
 */
export class EmlFileTransport implements MailTransport {
  private readonly t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  constructor(private readonly dir: string, private readonly from: string) {}
  async send(m: MailMessage): Promise<{ message_id: string | null }> {
    const info = await this.t.sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text, html: m.html, ...(m.reply_to ? { replyTo: m.reply_to } : {}) });
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const id = (info.messageId ?? `${Date.now()}`).replace(/[^A-Za-z0-9@._-]/g, '');
    fs.writeFileSync(path.join(this.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}.eml`), info.message as Buffer, { mode: 0o600 });
    return { message_id: info.messageId ?? null };
  }
}

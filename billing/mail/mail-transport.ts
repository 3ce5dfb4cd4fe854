/** A rendered message. The outbox renders it at send time; it is never stored. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Where replies go (the site's support address), when set. */
  reply_to?: string;
}

/** Where mail leaves (nodemailer SMTP, or .eml files on disk): the adapter lives in web/mail/. */
export interface MailTransport {
  send(message: MailMessage): Promise<{ message_id: string | null }>;
  close?(): void;
}

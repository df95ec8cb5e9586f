/**
 * Mail contract: the same cases on every adapter. The outbox adapter runs on the backend's store (SQLite or
 * PostgreSQL); the SMTP adapter talks to a real `smtp-server` listening on 127.0.0.1 (a real protocol peer,
 * with AUTH, so the URL's credentials are exercised too).
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { BACKENDS, type Backend, openTestStore } from '../../../test/support/backends.ts';
import { loadConfig } from '../../config/config.ts';
import { openMailer } from './openMailer.ts';
import { readOutbox } from './outbox/outboxMailer.ts';
import type { Mailer } from './port.ts';
import { createSmtpMailer } from './smtp/smtpMailer.ts';

/** What arrived at the adapter's destination, reduced to what the contract promises. */
interface Received {
  readonly to: string;
  readonly subject: string;
  /** Bodies as delivered (SMTP: the raw MIME message; outbox: text plus html). */
  readonly content: string;
}

interface MailHarness {
  readonly mailer: Mailer;
  received(): Promise<readonly Received[]>;
  cleanup(): Promise<void>;
}

const SMTP_USER = 'galley';
const SMTP_PASS = 's3cret-pass';
const FROM = 'Galley Test <no-reply@galley.test>';

/** A real SMTP server on loopback that keeps every accepted message. */
async function startSmtpServer(): Promise<{ url: string; messages: Received[]; close(): Promise<void> }> {
  const messages: Received[] = [];
  const server = new SMTPServer({
    logger: false,
    // Loopback test peer: no TLS, so AUTH over plain text must be allowed explicitly.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASS) callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@refused.test')) callback(new Error('mailbox unavailable'));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const rcpt = session.envelope.rcptTo[0]?.address ?? '';
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? '';
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        messages.push({ to: rcpt, subject, content: `${raw}\nX-Envelope-From: ${from}` });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function openOutboxHarness(backend: Backend): Promise<MailHarness> {
  const t = await openTestStore(backend);
  // openMailer picks the outbox when no SMTP URL is configured.
  const mailer = openMailer(loadConfig({}), t.store);
  return {
    mailer,
    async received() {
      const rows = await readOutbox(t.store, { limit: 100 });
      return rows.reverse().map((r) => ({
        to: r.to_address,
        subject: r.subject,
        content: `${r.text_body}\n${r.html_body ?? ''}`,
      }));
    },
    async cleanup() {
      await mailer.close();
      await t.cleanup();
    },
  };
}

async function openSmtpHarness(): Promise<MailHarness> {
  const server = await startSmtpServer();
  const mailer = openMailer(loadConfig({ GALLEY_SMTP_URL: server.url, GALLEY_MAIL_FROM: FROM }), dummyStoreGuard());
  return {
    mailer,
    received: async () => [...server.messages],
    async cleanup() {
      await mailer.close();
      await server.close();
    },
  };
}

/** The SMTP path must never touch the store; any access fails the test. */
function dummyStoreGuard(): Parameters<typeof openMailer>[1] {
  return new Proxy({} as Parameters<typeof openMailer>[1], {
    get() {
      throw new Error('the SMTP mailer must not use the store');
    },
  });
}

const ADAPTERS: readonly { name: string; open: (backend: Backend) => Promise<MailHarness> }[] = [
  { name: 'outbox', open: openOutboxHarness },
  { name: 'smtp', open: () => openSmtpHarness() },
];

for (const backend of BACKENDS) {
  for (const adapter of ADAPTERS) {
    describe(`mail contract: ${adapter.name} (${backend})`, () => {
      let h: MailHarness;
      before(async () => {
        h = await adapter.open(backend);
      });
      after(async () => {
        await h.cleanup();
      });

      test('a sent message arrives with its recipient, subject and body', async () => {
        await h.mailer.send({ to: 'Reader@Example.test', subject: 'Reset your password', text: 'Open this link' });
        const last = (await h.received()).at(-1);
        assert.ok(last, 'a message arrived');
        assert.equal(last.to.toLowerCase(), 'reader@example.test');
        assert.equal(last.subject, 'Reset your password');
        assert.match(last.content, /Open this link/);
      });

      test('an html alternative travels with the text', async () => {
        await h.mailer.send({
          to: 'html@example.test',
          subject: 'With html',
          text: 'plain version',
          html: '<p>html version</p>',
          tenantId: 'tenant-1',
        });
        const last = (await h.received()).at(-1);
        assert.ok(last);
        assert.match(last.content, /plain version/);
        assert.match(last.content, /<p>html version<\/p>/);
      });

      test('header injection and several recipients are refused before any I/O', async () => {
        const before = (await h.received()).length;
        await assert.rejects(
          h.mailer.send({ to: 'a@example.test', subject: 'x\r\nBcc: victim@example.test', text: 't' }),
          TypeError,
        );
        await assert.rejects(
          h.mailer.send({ to: 'a@example.test, b@example.test', subject: 's', text: 't' }),
          TypeError,
        );
        await assert.rejects(h.mailer.send({ to: 'not-an-address', subject: 's', text: 't' }), TypeError);
        assert.equal((await h.received()).length, before);
      });
    });
  }
}

describe('mail: SMTP specifics', () => {
  test('the configured sender is used and a refused recipient rejects send', async () => {
    const server = await startSmtpServer();
    const mailer = createSmtpMailer({ url: server.url, from: FROM });
    try {
      await mailer.send({ to: 'who@example.test', subject: 'From check', text: 'body' });
      const last = server.messages.at(-1);
      assert.ok(last);
      assert.match(last.content, /^From: Galley Test <no-reply@galley\.test>$/m);
      assert.match(last.content, /X-Envelope-From: no-reply@galley\.test/);
      await assert.rejects(mailer.send({ to: 'nobody@refused.test', subject: 's', text: 't' }));
    } finally {
      await mailer.close();
      await server.close();
    }
  });

  test('wrong credentials in the URL reject send', async () => {
    const server = await startSmtpServer();
    const mailer = createSmtpMailer({ url: server.url.replace(SMTP_PASS, 'wrong'), from: FROM });
    try {
      await assert.rejects(mailer.send({ to: 'who@example.test', subject: 's', text: 't' }));
      assert.equal(server.messages.length, 0);
    } finally {
      await mailer.close();
      await server.close();
    }
  });

  test('send after close rejects', async () => {
    const server = await startSmtpServer();
    const mailer = createSmtpMailer({ url: server.url, from: FROM });
    await mailer.close();
    await server.close();
    await assert.rejects(mailer.send({ to: 'who@example.test', subject: 's', text: 't' }), /closed/);
  });
});

/**
 * `galley mail outbox [--to <address>] [--limit <n>] [--json]`: prints mail the embedded mail adapter stored in
 * the outbox table, newest first (text bodies in full, so an operator can hand over a reset link). With
 * GALLEY_SMTP_URL set, mail goes to the SMTP server instead and the outbox only holds what was written before.
 * Exit codes: 0 success, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import type { Selectable } from 'kysely';
import type { Config } from '../../config/config.ts';
import { MAX_OUTBOX_READ, readOutbox } from '../../data/mail/outbox/outboxMailer.ts';
import type { MailOutboxTable } from '../../data/mail/tables.ts';
import { openConfiguredStore } from '../../data/store/openStore.ts';

const USAGE = `usage: galley mail outbox [--to <address>] [--limit <1-${MAX_OUTBOX_READ}>] [--json]`;

function print(row: Selectable<MailOutboxTable>, out: (line: string) => void): void {
  out(`--- ${row.created_at}  to: ${row.to_address}${row.tenant_id === null ? '' : `  tenant: ${row.tenant_id}`}`);
  out(`Subject: ${row.subject}`);
  out('');
  for (const line of row.text_body.split('\n')) out(line);
  if (row.html_body !== null) out('(an HTML alternative is stored too)');
  out('');
}

/** Runs `galley mail`. */
export async function runMail(args: readonly string[], config: Config, out: (line: string) => void): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    out(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (positionals[0] !== 'outbox' || positionals.length !== 1 || !Number.isInteger(limit)) {
    out(USAGE);
    return 2;
  }
  if (limit < 1 || limit > MAX_OUTBOX_READ) {
    out(`--limit must be from 1 to ${MAX_OUTBOX_READ}\n${USAGE}`);
    return 2;
  }
  const store = openConfiguredStore(config, 2);
  try {
    const rows = await readOutbox(store, { limit, ...(values.to === undefined ? {} : { to: values.to }) });
    if (values.json) {
      out(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (rows.length === 0) out(values.to === undefined ? 'the outbox is empty' : `no mail to ${values.to}`);
    for (const row of rows) print(row, out);
    return 0;
  } finally {
    await store.close();
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { to: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
}

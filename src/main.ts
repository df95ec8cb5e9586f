/**
 * The `galley` command line. Each subcommand lives in `experience/cli/<name>.ts` and returns an exit code;
 * this file only loads the configuration (stopping with a message that names an invalid setting) and
 * dispatches.
 */
import { type Config, ConfigError, loadConfig } from './config/config.ts';

/** A subcommand: arguments after its name, the validated config, and a line printer; resolves to an exit code. */
export type Command = (args: readonly string[], config: Config, out: (line: string) => void) => Promise<number>;

const COMMANDS: Readonly<Record<string, { readonly summary: string; readonly load: () => Promise<Command> }>> = {
  serve: {
    summary: 'serve HTTP and/or run workers (--roles web,worker --migrate --seed-sandbox)',
    load: async () => (await import('./experience/cli/serve.ts')).runServe,
  },
  migrate: {
    summary: 'apply migrations (--dry-run prints SQL and rolls back, --check runs the compatibility gate)',
    load: async () => (await import('./experience/cli/migrate.ts')).runMigrate,
  },
  seed: {
    summary: 'seed data (--sandbox: the sandbox tenant, owner and credentials file)',
    load: async () => (await import('./experience/cli/seed.ts')).runSeed,
  },
  config: {
    summary: 'configuration (docs: print the settings table; show: print the effective settings)',
    load: async () => (await import('./experience/cli/configCommand.ts')).runConfig,
  },
  mail: {
    summary: 'mail outbox [--to addr] [--limit n] [--json]: read mail the embedded mailer stored',
    load: async () => (await import('./experience/cli/mail.ts')).runMail,
  },
  sso: {
    summary: "a tenant's upstream OpenID Connect providers (add, list, remove)",
    load: async () => (await import('./experience/cli/sso.ts')).runSso,
  },
  webhooks: {
    summary: "a tenant's webhooks: list, deliveries (the delivery log), redeliver <delivery id>",
    load: async () => (await import('./experience/cli/webhooks.ts')).runWebhooks,
  },
  entries: {
    summary: 'entries over the management API as the stored login: list, get <id>, create, import <file.ndjson>',
    load: async () => (await import('./experience/cli/entries.ts')).runEntries,
  },
  keys: {
    summary: 'token signing keys (rotate: new current key, old one stays published; list)',
    load: async () => (await import('./experience/cli/keys.ts')).runKeys,
  },
  clients: {
    summary: 'OAuth service clients (create --tenant <slug> --name <n> --role <role>)',
    load: async () => (await import('./experience/cli/clients.ts')).runClients,
  },
  login: {
    summary: 'sign the CLI in to a Galley server (device flow) [--url <server>] [--tenant <slug>]',
    load: async () => (await import('./experience/cli/login.ts')).runLogin,
  },
  logout: {
    summary: 'revoke and forget the stored login [--url <server>]',
    load: async () => (await import('./experience/cli/logout.ts')).runLogout,
  },
  whoami: {
    summary: 'who the stored login is [--url <server>]',
    load: async () => (await import('./experience/cli/whoami.ts')).runWhoami,
  },
  usage: {
    summary: "a tenant's AI tokens and cost this month against its caps: --tenant <slug> [--month yyyy-mm] [--json]",
    load: async () => (await import('./experience/cli/ai.ts')).runUsage,
  },
  ai: {
    summary:
      'AI calls audit and settings: calls --tenant <slug>; settings --tenant <slug> [--token-cap n] [--at-cap …]',
    load: async () => (await import('./experience/cli/ai.ts')).runAi,
  },
  projections: {
    summary: 'content read models: rebuild [--tenant <slug>] [--verify] from the event log',
    load: async () => (await import('./experience/cli/projections.ts')).runProjections,
  },
  traces: {
    summary: "a running server's recent traces from its span ring [--limit n] [--trace id] [--json] [--url]",
    load: async () => (await import('./experience/cli/traces.ts')).runTraces,
  },
  safety: {
    summary: 'safety suites (injection, jailbreak, extraction, PII, benign) [--json path]; scan [file]: JSONL verdicts',
    load: async () => (await import('./experience/cli/safety.ts')).runSafety,
  },
  flags: {
    summary: 'AI task flags ai.<task>: list, get, set <key> --mode …, rule add|remove, history <key>',
    load: async () => (await import('./experience/cli/flags.ts')).runFlags,
  },
  prompts: {
    summary: 'prompt versions: list, show, diff, label <task> <label> <hash>, register [--dir], history <task>',
    load: async () => (await import('./experience/cli/prompts.ts')).runPrompts,
  },
  eval: {
    summary: 'golden-set evals through the gateway, gated by evals/thresholds.yaml (compare A B, --update-manifest)',
    load: async () => (await import('./experience/cli/eval.ts')).runEval,
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ['usage: galley <command> [options]', '', 'commands:', ...lines].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(`galley: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`galley: ${error.message}`);
      return 78; // EX_CONFIG
    }
    throw error;
  }
  const run = await command.load();
  return run(rest, config, (line) => console.log(line));
}

main(process.argv.slice(2)).then(
  (code) => {
    // `serve` resolves only after a graceful shutdown, so every command ends here.
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('galley: failed:', error);
    process.exitCode = 1;
  },
);

/** `galley config docs|show`: the settings table for the README, or the effective configuration. */
import { type Config, settingsMarkdown } from '../../config/config.ts';

/** Runs `galley config`. */
export async function runConfig(args: readonly string[], config: Config, out: (line: string) => void): Promise<number> {
  const [sub] = args;
  if (sub === 'docs') {
    out(settingsMarkdown());
    return 0;
  }
  if (sub === 'show') {
    const redact = (u: string | undefined) =>
      u === undefined ? undefined : u.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
    out(
      JSON.stringify(
        {
          ...config,
          databaseUrl: redact(config.databaseUrl),
          redisUrl: redact(config.redisUrl),
          smtpUrl: redact(config.smtpUrl),
          secret: config.secret === undefined ? undefined : '***',
          metricsToken: config.metricsToken === undefined ? undefined : '***',
        },
        null,
        2,
      ),
    );
    return 0;
  }
  out('usage: galley config docs|show');
  return 2;
}

/**
 * Running CLI commands in tests: a configuration whose store is a test store (its SQLite file, or its PostgreSQL
 * schema through `search_path`) and, when a Redis prefix is given, whose kv, cache and queue live under that
 * prefix; and a runner that collects a command's output lines.
 */
import { type Config, loadConfig } from '../../src/config/config.ts';
import type { Command } from '../../src/main.ts';
import { TEST_REDIS_URL, type TestStore } from './backends.ts';

/** Config over `t` plus `settings`; distributed stores also get Redis under `redisPrefix` when one is given. */
export function cliConfig(
  t: Pick<TestStore, 'location' | 'schema'>,
  settings: Partial<Config> = {},
  redisPrefix?: string,
): Config {
  if (t.schema === undefined) return loadConfig({}, { ...settings, sqlitePath: t.location });
  const url = new URL(t.location);
  url.searchParams.set('options', `-c search_path=${t.schema}`);
  return loadConfig(
    {},
    {
      pgPoolMax: 2,
      ...settings,
      mode: 'distributed',
      databaseUrl: url.toString(),
      ...(redisPrefix === undefined ? {} : { redisUrl: TEST_REDIS_URL, redisPrefix }),
    },
  );
}

/** Runs `command` with `args`; resolves with its exit code and printed lines. */
export async function runCli(
  command: Command,
  args: readonly string[],
  config: Config,
): Promise<{ readonly code: number; readonly output: string }> {
  const lines: string[] = [];
  const code = await command(args, config, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

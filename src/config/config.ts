/**
 * The one validated configuration. `loadConfig(env)` parses every setting in `settings.ts`; an invalid value
 * throws a ConfigError naming the setting, and `main.ts` stops the process with that message.
 */
import path from 'node:path';
import { ConfigError, type Role, SETTINGS } from './settings.ts';

export { ConfigError } from './settings.ts';

/** The prompt sources shipped with Galley (the repository's prompts/ folder). */
const INSTALLED_PROMPTS_DIR = path.resolve(import.meta.dirname, '../../prompts');

/** Which adapters a process uses: embedded (SQLite, in-process) or distributed (PostgreSQL + Redis). */
export type Mode = 'embedded' | 'distributed';

/** The validated, frozen configuration handed to buildApp and the CLI. */
export interface Config {
  /** Embedded unless DATABASE_URL and REDIS_URL are set (setting only one is refused). */
  readonly mode: Mode;
  readonly port: number;
  readonly host: string;
  /** Origin users reach Galley at, without a trailing slash. */
  readonly publicUrl: string;
  /** Absolute path of the data directory. */
  readonly dataDir: string;
  /** Path of the embedded SQLite database file (inside dataDir). */
  readonly sqlitePath: string;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly roles: readonly Role[];
  /** Where a worker-only process serves its ops endpoints (0 = nowhere). */
  readonly opsPort: number;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  readonly requestTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxEventLoopDelayMs: number;
  readonly shutdownGraceMs: number;
  readonly pgPoolMax: number;
  readonly cacheMaxEntries: number;
  readonly workerConcurrency: number;
  readonly redisPrefix: string;
  /** Master secret; undefined in embedded mode means "generate and keep one in the data directory". */
  readonly secret: string | undefined;
  /** Seconds during which concurrent refreshes of one refresh token all get the same successor. */
  readonly refreshGraceSeconds: number;
  /** Scrape token for /metrics. */
  readonly metricsToken: string | undefined;
  /** Address ranges allowed to scrape /metrics (see metricsAccess). */
  readonly metricsAllow: readonly string[] | undefined;
  /** SMTP server URL for outgoing mail; undefined = write mail to the outbox table. */
  readonly smtpUrl: string | undefined;
  /** Sender of outgoing mail (an RFC 5322 address, optionally with a display name). */
  readonly mailFrom: string;
  /** GALLEY_WEBHOOKS_ALLOW_PRIVATE: webhooks may target private and loopback addresses. */
  readonly webhooksAllowPrivate: boolean;
  /** Fraction of successful, fast requests whose logs are written (src/ops/logging). */
  readonly logSampleRate: number;
  /** Slow-request threshold for full logging in ms; 0 = each API's latency SLO threshold. */
  readonly logSlowMs: number;
  /** Model an AI task uses when its flag names none. */
  readonly aiDefaultModel: string;
  /** OpenAI-compatible endpoint; undefined = the openai provider is off. */
  readonly openaiBaseUrl: string | undefined;
  readonly openaiApiKey: string | undefined;
  /** Anthropic endpoint override; the provider is on when this or the key is set. */
  readonly anthropicBaseUrl: string | undefined;
  readonly anthropicApiKey: string | undefined;
  /** Raw JSON of extra/overriding registry models (parsed by intelligence/providers/models.ts). */
  readonly aiModels: string | undefined;
  /** Default monthly token cap per tenant; 0 = none. */
  readonly aiMonthlyTokenCap: number;
  /** Model calls per tenant running at once. */
  readonly aiTenantConcurrency: number;
  /** Per-tenant token bucket size per minute; 0 = unlimited. */
  readonly aiTenantTokensPerMinute: number;
  /** Memoized AI results live this long. */
  readonly aiMemoTtlSeconds: number;
  /** Near-duplicate reuse threshold (1 = off). */
  readonly aiReuseSimilarity: number;
  /** Judge model for llm-rubric assertions; undefined = skipped with a notice. */
  readonly aiJudgeModel: string | undefined;
  /** Absolute path of the prompt sources folder. */
  readonly promptsDir: string;
  /** OTLP/HTTP collector base URL; undefined = in-memory span ring. */
  readonly otlpEndpoint: string | undefined;
  /** Spans kept in the in-memory ring; 0 = tracing off. */
  readonly traceRingSize: number;
}

/** Parses and validates the environment; throws ConfigError naming the first invalid setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const s = SETTINGS;
  const port = s.port.parse(env[s.port.env]);
  const dataDir = path.resolve(s.dataDir.parse(env[s.dataDir.env]) ?? './data');
  const databaseUrl = s.databaseUrl.parse(env[s.databaseUrl.env]);
  const redisUrl = s.redisUrl.parse(env[s.redisUrl.env]);
  if ((databaseUrl === undefined) !== (redisUrl === undefined)) {
    const missing = databaseUrl === undefined ? s.databaseUrl.env : s.redisUrl.env;
    throw new ConfigError(missing, 'distributed mode needs both DATABASE_URL and REDIS_URL; set the missing one');
  }
  const secret = s.secret.parse(env[s.secret.env]);
  if (secret !== undefined && secret.length < 32) throw new ConfigError(s.secret.env, 'must be at least 32 characters');
  if (secret === undefined && databaseUrl !== undefined) {
    throw new ConfigError(s.secret.env, 'distributed mode needs a shared secret: set GALLEY_SECRET in every process');
  }
  const publicUrl = (s.publicUrl.parse(env[s.publicUrl.env]) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const config: Config = {
    mode: databaseUrl !== undefined || redisUrl !== undefined ? 'distributed' : 'embedded',
    port,
    host: s.host.parse(env[s.host.env]) ?? '0.0.0.0',
    publicUrl,
    dataDir,
    sqlitePath: path.join(dataDir, 'galley.db'),
    databaseUrl,
    redisUrl,
    roles: s.roles.parse(env[s.roles.env]),
    opsPort: s.opsPort.parse(env[s.opsPort.env]),
    logLevel: s.logLevel.parse(env[s.logLevel.env]),
    bodyLimitBytes: s.bodyLimitBytes.parse(env[s.bodyLimitBytes.env]),
    requestTimeoutMs: s.requestTimeoutMs.parse(env[s.requestTimeoutMs.env]),
    connectionTimeoutMs: s.connectionTimeoutMs.parse(env[s.connectionTimeoutMs.env]),
    keepAliveTimeoutMs: s.keepAliveTimeoutMs.parse(env[s.keepAliveTimeoutMs.env]),
    maxEventLoopDelayMs: s.maxEventLoopDelayMs.parse(env[s.maxEventLoopDelayMs.env]),
    shutdownGraceMs: s.shutdownGraceMs.parse(env[s.shutdownGraceMs.env]),
    pgPoolMax: s.pgPoolMax.parse(env[s.pgPoolMax.env]),
    cacheMaxEntries: s.cacheMaxEntries.parse(env[s.cacheMaxEntries.env]),
    workerConcurrency: s.workerConcurrency.parse(env[s.workerConcurrency.env]),
    redisPrefix: s.redisPrefix.parse(env[s.redisPrefix.env]) ?? 'galley',
    secret,
    refreshGraceSeconds: s.refreshGraceSeconds.parse(env[s.refreshGraceSeconds.env]),
    metricsToken: s.metricsToken.parse(env[s.metricsToken.env]),
    metricsAllow: s.metricsAllow.parse(env[s.metricsAllow.env]),
    smtpUrl: s.smtpUrl.parse(env[s.smtpUrl.env]),
    mailFrom: s.mailFrom.parse(env[s.mailFrom.env]) ?? `Galley <no-reply@${new URL(publicUrl).hostname}>`,
    webhooksAllowPrivate: s.webhooksAllowPrivate.parse(env[s.webhooksAllowPrivate.env]),
    logSampleRate: s.logSampleRate.parse(env[s.logSampleRate.env]),
    logSlowMs: s.logSlowMs.parse(env[s.logSlowMs.env]),
    aiDefaultModel: s.aiDefaultModel.parse(env[s.aiDefaultModel.env]) ?? 'galley-local-1',
    openaiBaseUrl: s.openaiBaseUrl.parse(env[s.openaiBaseUrl.env]),
    openaiApiKey: s.openaiApiKey.parse(env[s.openaiApiKey.env]),
    anthropicBaseUrl: s.anthropicBaseUrl.parse(env[s.anthropicBaseUrl.env]),
    anthropicApiKey: s.anthropicApiKey.parse(env[s.anthropicApiKey.env]),
    aiModels: s.aiModels.parse(env[s.aiModels.env]),
    aiMonthlyTokenCap: s.aiMonthlyTokenCap.parse(env[s.aiMonthlyTokenCap.env]),
    aiTenantConcurrency: s.aiTenantConcurrency.parse(env[s.aiTenantConcurrency.env]),
    aiTenantTokensPerMinute: s.aiTenantTokensPerMinute.parse(env[s.aiTenantTokensPerMinute.env]),
    aiMemoTtlSeconds: s.aiMemoTtlSeconds.parse(env[s.aiMemoTtlSeconds.env]),
    aiReuseSimilarity: s.aiReuseSimilarity.parse(env[s.aiReuseSimilarity.env]),
    aiJudgeModel: s.aiJudgeModel.parse(env[s.aiJudgeModel.env]),
    promptsDir: path.resolve(s.promptsDir.parse(env[s.promptsDir.env]) ?? INSTALLED_PROMPTS_DIR),
    otlpEndpoint: s.otlpEndpoint.parse(env[s.otlpEndpoint.env]),
    traceRingSize: s.traceRingSize.parse(env[s.traceRingSize.env]),
    ...overrides,
  };
  return Object.freeze(config);
}

/** Who may scrape /metrics: the configured list, else loopback only unless a token guards it. */
export function metricsAccess(config: Config): { token?: string; allow?: readonly string[] } {
  const allow = config.metricsAllow ?? (config.metricsToken === undefined ? ['127.0.0.0/8', '::1'] : undefined);
  return {
    ...(config.metricsToken === undefined ? {} : { token: config.metricsToken }),
    ...(allow === undefined ? {} : { allow }),
  };
}

/** Markdown table of every setting, for the README (`galley config docs`). */
export function settingsMarkdown(): string {
  const rows = Object.values(SETTINGS).map(
    (s) => `| \`${s.env}\` | ${s.defaultText === '(unset)' ? '(unset)' : `\`${s.defaultText}\``} | ${s.doc} |`,
  );
  return ['| setting | default | what it does |', '|---|---|---|', ...rows].join('\n');
}

import { isIP } from 'node:net';

/**
 * The catalogue of every setting Galley reads from its environment. Each entry documents itself; the README's
 * settings table is generated from this list (`galley config docs`) and a test keeps the two in sync.
 */

/** Raised when a setting's value cannot be used; start-up stops with this message, which names the setting. */
export class ConfigError extends Error {
  /** The environment variable at fault. */
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(`Invalid setting ${setting}: ${message}`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

/** One documented environment setting and how to parse it. */
export interface Setting<T> {
  /** Environment variable name. */
  readonly env: string;
  /** What it controls, one sentence for the README. */
  readonly doc: string;
  /** The default, as documented (undefined = unset). */
  readonly defaultText: string;
  /** Turns the raw text (or undefined) into the value, throwing ConfigError when invalid. */
  readonly parse: (raw: string | undefined) => T;
}

function integer(env: string, doc: string, fallback: number, min: number, max: number): Setting<number> {
  return Object.freeze({
    env,
    doc,
    defaultText: String(fallback),
    parse(raw: string | undefined): number {
      if (raw === undefined || raw === '') return fallback;
      if (!/^\d+$/.test(raw)) throw new ConfigError(env, `expected a whole number, got "${raw}"`);
      const value = Number(raw);
      if (value < min || value > max) throw new ConfigError(env, `must be between ${min} and ${max}, got ${value}`);
      return value;
    },
  });
}

function text(env: string, doc: string, fallback: string | undefined): Setting<string | undefined> {
  return Object.freeze({
    env,
    doc,
    defaultText: fallback ?? '(unset)',
    parse: (raw: string | undefined) => (raw === undefined || raw === '' ? fallback : raw),
  });
}

function url(env: string, doc: string, protocols: readonly string[]): Setting<string | undefined> {
  return Object.freeze({
    env,
    doc,
    defaultText: '(unset)',
    parse(raw: string | undefined): string | undefined {
      if (raw === undefined || raw === '') return undefined;
      let parsed: URL;
      try {
        parsed = new URL(raw);
      } catch {
        throw new ConfigError(env, 'not a valid URL');
      }
      if (!protocols.includes(parsed.protocol)) {
        throw new ConfigError(env, `protocol must be one of ${protocols.join(', ')}, got ${parsed.protocol}`);
      }
      return raw;
    },
  });
}

function flag(env: string, doc: string, fallback: boolean): Setting<boolean> {
  return Object.freeze({
    env,
    doc,
    defaultText: String(fallback),
    parse(raw: string | undefined): boolean {
      if (raw === undefined || raw === '') return fallback;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new ConfigError(env, `must be true or false, got "${raw}"`);
    },
  });
}

function oneOf<T extends string>(env: string, doc: string, fallback: T, values: readonly T[]): Setting<T> {
  return Object.freeze({
    env,
    doc,
    defaultText: fallback,
    parse(raw: string | undefined): T {
      if (raw === undefined || raw === '') return fallback;
      const found = values.find((v) => v === raw);
      if (found === undefined) throw new ConfigError(env, `must be one of ${values.join(', ')}, got "${raw}"`);
      return found;
    },
  });
}

function cidrList(env: string, doc: string): Setting<readonly string[] | undefined> {
  return Object.freeze({
    env,
    doc,
    defaultText: '(unset)',
    parse(raw: string | undefined): readonly string[] | undefined {
      if (raw === undefined || raw.trim() === '') return undefined;
      const entries = raw
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p.length > 0);
      for (const entry of entries) {
        const [address = '', bits, ...rest] = entry.split('/');
        const version = isIP(address);
        const max = version === 4 ? 32 : 128;
        const ok =
          version !== 0 && rest.length === 0 && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max));
        if (!ok) throw new ConfigError(env, `"${entry}" is not an IP address or CIDR range`);
      }
      return Object.freeze(entries);
    },
  });
}

function fraction(env: string, doc: string, fallback: number): Setting<number> {
  return Object.freeze({
    env,
    doc,
    defaultText: String(fallback),
    parse(raw: string | undefined): number {
      if (raw === undefined || raw === '') return fallback;
      const value = /^(0|1|0?\.\d+|1\.0*)$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(value >= 0 && value <= 1)) throw new ConfigError(env, `expected a number from 0 to 1, got "${raw}"`);
      return value;
    },
  });
}

/** Process roles: `web` serves HTTP, `worker` runs queued jobs. */
export const ROLES = ['web', 'worker'] as const;
/** One process role. */
export type Role = (typeof ROLES)[number];

function roles(env: string, doc: string): Setting<readonly Role[]> {
  return Object.freeze({
    env,
    doc,
    defaultText: 'web,worker',
    parse(raw: string | undefined): readonly Role[] {
      if (raw === undefined || raw === '') return Object.freeze([...ROLES]);
      const picked: Role[] = [];
      for (const part of raw.split(',').map((p) => p.trim())) {
        const role = ROLES.find((r) => r === part);
        if (role === undefined) throw new ConfigError(env, `unknown role "${part}" (roles: ${ROLES.join(', ')})`);
        if (!picked.includes(role)) picked.push(role);
      }
      return Object.freeze(picked);
    },
  });
}

/** Every setting, in README order. */
export const SETTINGS = Object.freeze({
  port: integer('PORT', 'TCP port the HTTP server listens on.', 8080, 0, 65535),
  host: text('HOST', 'Interface the HTTP server binds to.', '0.0.0.0'),
  publicUrl: url(
    'GALLEY_PUBLIC_URL',
    'Origin users reach Galley at (issuer and links); defaults to http://localhost:PORT.',
    ['http:', 'https:'],
  ),
  dataDir: text('GALLEY_DATA_DIR', 'Directory for the embedded SQLite database and sandbox credentials.', './data'),
  databaseUrl: url(
    'DATABASE_URL',
    'PostgreSQL URL; with REDIS_URL it selects distributed mode (store and search on PostgreSQL).',
    ['postgres:', 'postgresql:'],
  ),
  redisUrl: url(
    'REDIS_URL',
    'Redis URL; with DATABASE_URL it selects distributed mode (kv, cache broadcast, BullMQ queue).',
    ['redis:', 'rediss:'],
  ),
  roles: roles('GALLEY_ROLES', 'Comma-separated process roles: web (HTTP) and/or worker (queued jobs).'),
  opsPort: integer(
    'GALLEY_OPS_PORT',
    'Port on which a worker-only process (roles without web) serves /metrics, /healthz, /readyz and /api/v1/ops/*; 0 = none. Processes with the web role serve them on PORT.',
    0,
    0,
    65535,
  ),
  logLevel: oneOf('GALLEY_LOG_LEVEL', 'Log level.', 'info', [
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ]),
  bodyLimitBytes: integer(
    'GALLEY_BODY_LIMIT_BYTES',
    'Largest accepted request body, in bytes.',
    1_048_576,
    1024,
    104_857_600,
  ),
  requestTimeoutMs: integer(
    'GALLEY_REQUEST_TIMEOUT_MS',
    'Time allowed to receive a whole request.',
    30_000,
    1000,
    600_000,
  ),
  connectionTimeoutMs: integer('GALLEY_CONNECTION_TIMEOUT_MS', 'Idle socket timeout.', 60_000, 1000, 600_000),
  keepAliveTimeoutMs: integer(
    'GALLEY_KEEP_ALIVE_TIMEOUT_MS',
    'Keep-alive timeout for idle HTTP connections.',
    72_000,
    1000,
    600_000,
  ),
  maxEventLoopDelayMs: integer(
    'GALLEY_MAX_EVENT_LOOP_DELAY_MS',
    'Event-loop delay above which requests are shed with 503 + Retry-After (0 disables).',
    1000,
    0,
    60_000,
  ),
  shutdownGraceMs: integer(
    'GALLEY_SHUTDOWN_GRACE_MS',
    'On SIGTERM, how long in-flight requests and jobs may take to drain.',
    10_000,
    0,
    600_000,
  ),
  pgPoolMax: integer('GALLEY_PG_POOL_MAX', 'PostgreSQL connection pool size per process.', 10, 1, 500),
  cacheMaxEntries: integer(
    'GALLEY_CACHE_MAX_ENTRIES',
    'Entries kept by each in-process LRU cache.',
    10_000,
    1,
    10_000_000,
  ),
  workerConcurrency: integer('GALLEY_WORKER_CONCURRENCY', 'Jobs a worker process runs at once per queue.', 4, 1, 1000),
  secret: text(
    'GALLEY_SECRET',
    'Master secret (≥ 32 characters) for sealing cookies and encrypting signing keys; embedded mode generates one in the data directory when unset, distributed mode requires it.',
    undefined,
  ),
  metricsToken: text(
    'GALLEY_METRICS_TOKEN',
    'Bearer token Prometheus must send to scrape GET /metrics (unset: no token check).',
    undefined,
  ),
  metricsAllow: cidrList(
    'GALLEY_METRICS_ALLOW',
    'Comma-separated CIDR ranges allowed to scrape /metrics; unset means loopback only, or anyone holding the token when GALLEY_METRICS_TOKEN is set.',
  ),
  redisPrefix: text('GALLEY_REDIS_PREFIX', 'Prefix of every Redis key Galley writes.', 'galley'),
  smtpUrl: url(
    'GALLEY_SMTP_URL',
    'SMTP server for outgoing mail (smtp://user:pass@host:587, smtps://… for implicit TLS); unset: mail goes to the outbox table, read with `galley mail outbox`.',
    ['smtp:', 'smtps:'],
  ),
  mailFrom: text(
    'GALLEY_MAIL_FROM',
    'Sender address of outgoing mail; defaults to Galley <no-reply@host of GALLEY_PUBLIC_URL>.',
    undefined,
  ),
  refreshGraceSeconds: integer(
    'GALLEY_REFRESH_GRACE_S',
    'Seconds during which repeated refreshes with the same refresh token all get the same successor (0 disables; reuse after it revokes the grant).',
    10,
    0,
    120,
  ),
  webhooksAllowPrivate: flag(
    'GALLEY_WEBHOOKS_ALLOW_PRIVATE',
    'Allow webhook URLs that resolve to private, loopback or link-local addresses (local setups and tests only; keep false in production to block SSRF).',
    false,
  ),
  logSampleRate: fraction(
    'GALLEY_LOG_SAMPLE_RATE',
    'Fraction (0–1) of successful, fast requests whose log lines are written, chosen from the trace id; errors, 5xx and slow requests are always logged in full with their buffered debug lines.',
    0.05,
  ),
  logSlowMs: integer(
    'GALLEY_LOG_SLOW_MS',
    "Requests slower than this many ms are logged in full; 0 uses each API's latency SLO threshold (100 ms delivery, 250 ms management).",
    0,
    0,
    600_000,
  ),
  aiDefaultModel: text(
    'GALLEY_AI_DEFAULT_MODEL',
    "Model an AI task uses when its flag names none; `galley-local-1` is Galley's built-in offline model.",
    'galley-local-1',
  ),
  openaiBaseUrl: url(
    'GALLEY_OPENAI_BASE_URL',
    'Base URL of an OpenAI-compatible endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp server), e.g. http://127.0.0.1:11434/v1; unset: the openai provider is off.',
    ['http:', 'https:'],
  ),
  openaiApiKey: text('GALLEY_OPENAI_API_KEY', 'API key sent to the OpenAI-compatible endpoint.', undefined),
  anthropicBaseUrl: url(
    'GALLEY_ANTHROPIC_BASE_URL',
    'Base URL of the Anthropic API (or a compatible proxy); the anthropic provider is on when this or GALLEY_ANTHROPIC_API_KEY is set.',
    ['http:', 'https:'],
  ),
  anthropicApiKey: text('GALLEY_ANTHROPIC_API_KEY', 'API key for the anthropic provider.', undefined),
  aiModels: text(
    'GALLEY_AI_MODELS',
    'JSON array adding or overriding registry models: [{"id","provider","inputPer1k","outputPer1k"}] (prices in USD per 1,000 tokens).',
    undefined,
  ),
  aiMonthlyTokenCap: integer(
    'GALLEY_AI_MONTHLY_TOKEN_CAP',
    "Default monthly token cap per tenant (a tenant's own budget overrides it); 0 means no cap.",
    2_000_000,
    0,
    Number.MAX_SAFE_INTEGER,
  ),
  aiTenantConcurrency: integer(
    'GALLEY_AI_TENANT_CONCURRENCY',
    'Model calls one tenant may have running at once across all workers.',
    4,
    1,
    1000,
  ),
  aiTenantTokensPerMinute: integer(
    'GALLEY_AI_TENANT_TOKENS_PER_MINUTE',
    "Per-tenant token bucket: tokens a tenant's model calls may use per minute (0 = unlimited).",
    200_000,
    0,
    Number.MAX_SAFE_INTEGER,
  ),
  aiMemoTtlSeconds: integer(
    'GALLEY_AI_MEMO_TTL_S',
    'Seconds a memoized AI result is served again for the same input, prompt version and model.',
    86_400,
    0,
    31_536_000,
  ),
  aiReuseSimilarity: fraction(
    'GALLEY_AI_REUSE_SIMILARITY',
    "Minimum similarity (Jaccard of word 3-shingles, 0–1) at which a user's last AI suggestion for an entry answers again after a small edit, without a model call; 1 turns reuse off. Never used for PII checks or related entries.",
    0.9,
  ),
  aiJudgeModel: text(
    'GALLEY_AI_JUDGE_MODEL',
    'Model that grades `llm-rubric` eval assertions; unset: those assertions are skipped with a visible notice.',
    undefined,
  ),
  promptsDir: text(
    'GALLEY_PROMPTS_DIR',
    "Folder of prompt sources registered as versions at start-up; unset: the installation's own prompts/ folder (whatever the working directory).",
    undefined,
  ),
  otlpEndpoint: url(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTLP/HTTP collector base URL (traces go to <url>/v1/traces); unset: spans are kept in an in-memory ring that `galley traces` dumps.',
    ['http:', 'https:'],
  ),
  traceRingSize: integer(
    'GALLEY_TRACE_RING_SIZE',
    'Finished spans kept in the in-memory ring when no OTLP endpoint is set (0 turns tracing off).',
    2048,
    0,
    1_000_000,
  ),
});

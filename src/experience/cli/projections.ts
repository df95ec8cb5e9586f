/**
 * `galley projections rebuild [--tenant <slug>] [--verify]`: rebuilds the content read models and search documents
 * from the event log (src/content/projections/rebuild.ts).
 *
 * With `--verify` nothing changes: the replayed state is compared with what is stored, every difference is
 * printed, and the exit code is 1 when there is any. Without it, the stored read models are replaced by the replay
 * and the search index is reloaded; differences found are printed as corrected. Applies pending migrations first
 * (like `galley seed`). Exit codes: 0 success (and, with --verify, no difference), 1 differences or failure, 2 bad
 * usage.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import type { TableDifference } from '../../content/projections/compare.ts';
import { rebuildContentProjections } from '../../content/projections/rebuild.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openConfiguredStore } from '../../data/store/openStore.ts';

const USAGE = 'usage: galley projections rebuild [--tenant <slug>] [--verify]';
const SAMPLE_CHARS = 400;

function describe(d: TableDifference, verify: boolean): string[] {
  const lines = [
    `  ${d.table}: ${d.onlyLive} stored row(s) not reproduced by the replay, ${d.onlyRebuilt} replayed row(s) not stored${verify ? '' : ' (corrected)'}`,
  ];
  for (const s of d.samples) {
    const json = JSON.stringify(s.row);
    lines.push(
      `    ${s.side === 'live' ? 'stored ' : 'replay '} ${json.length > SAMPLE_CHARS ? `${json.slice(0, SAMPLE_CHARS)}…` : json}`,
    );
  }
  return lines;
}

/** Runs `galley projections`. */
export async function runProjections(
  args: readonly string[],
  config: Config,
  out: (line: string) => void,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    out(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== 'rebuild') {
    out(USAGE);
    return 2;
  }
  const verify = values.verify === true;
  const store = openConfiguredStore(config);
  try {
    await migrateToLatest(store);
    let tenantId: string | undefined;
    const slugs = new Map(
      (await store.db.selectFrom('tenants').select(['id', 'slug']).execute()).map((t) => [t.id, t.slug]),
    );
    if (values.tenant !== undefined) {
      tenantId = [...slugs].find(([, slug]) => slug === values.tenant)?.[0];
      if (tenantId === undefined) {
        out(`no tenant "${values.tenant}"`);
        return 1;
      }
    }
    const report = await rebuildContentProjections({
      store,
      ...(tenantId === undefined ? {} : { tenantId }),
      verify,
      onTenant: (r) => {
        const name = slugs.get(r.tenantId) ?? r.tenantId;
        const verdict = r.differences.length === 0 ? 'equal' : `${r.differences.length} table(s) differ`;
        out(`${name}: ${r.events} entry events replayed in ${r.ms} ms; ${verdict}`);
        for (const d of r.differences) for (const line of describe(d, verify)) out(line);
      },
    });
    const tenants = report.tenants.length;
    if (verify) {
      out(
        report.differingRows === 0
          ? `verified ${tenants} tenant(s): stored read models equal the replay of the event log`
          : `verification failed: ${report.differingRows} differing row(s)`,
      );
      return report.differingRows === 0 ? 0 : 1;
    }
    out(`rebuilt ${tenants} tenant(s); ${report.differingRows} differing row(s) corrected`);
    return 0;
  } finally {
    await store.close();
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { tenant: { type: 'string' }, verify: { type: 'boolean', default: false } },
  });
}

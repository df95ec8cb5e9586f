/**
 * A Kysely plugin that points queries at other tables: every table node (FROM, INTO, UPDATE, JOIN and qualified
 * column references) whose name is in the map is renamed. The rebuild uses it to run the very same projection
 * handlers against the `content_rebuild_*` twins. Raw SQL fragments are not rewritten, so handlers name tables
 * only through the query builder.
 */
import {
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  TableNode,
  type UnknownRow,
} from 'kysely';

class TableRenameTransformer extends OperationNodeTransformer {
  readonly #map: ReadonlyMap<string, string>;
  constructor(map: ReadonlyMap<string, string>) {
    super();
    this.#map = map;
  }
  protected override transformTable(node: TableNode): TableNode {
    const renamed = node.table.schema === undefined ? this.#map.get(node.table.identifier.name) : undefined;
    return renamed === undefined ? node : TableNode.create(renamed);
  }
}

/** Renames tables by name (unqualified tables only). */
export class TableRenamePlugin implements KyselyPlugin {
  readonly #transformer: TableRenameTransformer;
  constructor(map: ReadonlyMap<string, string>) {
    this.#transformer = new TableRenameTransformer(map);
  }
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** Every in-scope operation of /openapi.json has a contract file, and every listed operation still exists. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTRACT_CASES } from './operations.ts';
import { openContractSandbox, scopedOperations } from './sandbox.ts';

test('every management and delivery operation has a contract case', async () => {
  const sandbox = await openContractSandbox('embedded');
  try {
    const documented = scopedOperations(sandbox.doc);
    assert.ok(documented.length > 20, `only ${documented.length} operations in scope`);
    const missing = documented.filter((key) => CONTRACT_CASES[key] === undefined);
    assert.deepEqual(missing, [], 'operations without a contract case: add them to test/contract/operations.ts');
    const stale = Object.keys(CONTRACT_CASES).filter((key) => !documented.includes(key));
    assert.deepEqual(stale, [], 'contract cases for operations no longer documented');
  } finally {
    await sandbox.cleanup();
  }
});

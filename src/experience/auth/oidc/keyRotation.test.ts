/**
 * Signing-key rotation on every backend: after `galley keys rotate` (rotateKeys: store + `auth:keys` message)
 * the running server signs with the new kid, and tokens signed with the old kid still verify through the
 * published JWKS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { buildTenant } from '../../../../test/factories.ts';
import { BACKENDS } from '../../../../test/support/backends.ts';
import { rotateKeys } from '../../cli/keys.ts';
import { GALLEY_API_AUDIENCE, issuerOf } from '../tokenContract.ts';
import { type OauthHarness, startOauthServer } from './oauthHarness.ts';
import { type CreatedServiceClient, createServiceClient } from './serviceClientCreator.ts';

for (const backend of BACKENDS) {
  describe(`signing key rotation (${backend})`, () => {
    let h: OauthHarness;
    let client: CreatedServiceClient;
    before(async () => {
      h = await startOauthServer(backend);
      const tenant = await buildTenant(h.plane.store.db);
      client = await createServiceClient({
        store: h.plane.store,
        secret: h.secret,
        tenantId: tenant.id,
        name: 'rotation probe',
        role: 'viewer',
        actor: 'test',
      });
    });
    after(async () => {
      await h.close();
    });

    const token = async (): Promise<string> => {
      const response = await fetch(`${h.base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.clientSecret,
        }).toString(),
      });
      const body = (await response.json()) as { access_token: string };
      assert.equal(response.status, 200, JSON.stringify(body));
      return body.access_token;
    };

    test('new tokens use the new kid; old tokens still verify against the JWKS', async () => {
      const before = await token();
      const oldKid = decodeProtectedHeader(before).kid;
      const newKid = await rotateKeys(h.plane.store, h.plane.kv, h.secret);
      assert.notEqual(newKid, oldKid);

      let after = await token();
      const deadline = Date.now() + 10_000;
      while (decodeProtectedHeader(after).kid !== newKid) {
        assert.ok(Date.now() < deadline, 'the server picked up the new key within 10 s');
        await sleep(50);
        after = await token();
      }
      const jwks = (await (await fetch(`${h.base}/oauth/jwks`)).json()) as JSONWebKeySet;
      const kids = jwks.keys.map((k) => k.kid);
      assert.ok(kids.includes(oldKid) && kids.includes(newKid), 'both keys are published');
      const keySet = createLocalJWKSet(jwks);
      const options = { issuer: issuerOf(h.config), audience: GALLEY_API_AUDIENCE(h.config) };
      await jwtVerify(before, keySet, options);
      await jwtVerify(after, keySet, options);
    });
  });
}

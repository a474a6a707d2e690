// Relay behind mTLS (hubble.relay.tls.server with client verification): the client presents the certificate read
// from files and verifies Relay against the CA file; without a client certificate Relay refuses, and the fact says
// which variables to set rather than reading as "no drops".
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { HubbleRelayClient } from '../../jobs/hubble/relay-client.ts';
import { readRelayFlows } from '../../jobs/hubble/read-relay-flows.ts';
import { startRelayEmulator, type RelayEmulator } from '../../sandbox/hubble/relay-emulator.ts';

const SERVER_NAME = 'relay.sandbox.hubble-relay.test';

describe('Hubble Relay over mTLS', () => {
  let relay: RelayEmulator;
  const dir = mkdtempSync(join(tmpdir(), 'relay-mtls-'));
  const files = { ca: join(dir, 'ca.crt'), cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
  beforeAll(async () => {
    // One self-signed certificate is Relay's and the CA of the client certificate it issues.
    const pems = await generate([{ name: 'commonName', value: SERVER_NAME }], {
      keySize: 2048,
      algorithm: 'sha256',
      clientCertificate: { cn: 'cilium-runbook' },
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: SERVER_NAME }] },
      ],
    });
    writeFileSync(files.ca, pems.cert);
    writeFileSync(files.cert, pems.clientcert ?? '');
    writeFileSync(files.key, pems.clientprivate ?? '');
    relay = await startRelayEmulator({ responses: [], connectedNodes: ['default/node-1'], tls: { key: pems.private, cert: pems.cert, clientCa: pems.cert } });
  }, 60_000);
  afterAll(async () => {
    await relay.close();
  });

  it('with the CA and the client certificate from files, ServerStatus answers', async () => {
    const client = new HubbleRelayClient({ address: relay.address, tls: { caFile: files.ca, certFile: files.cert, keyFile: files.key, serverName: SERVER_NAME } });
    try {
      expect((await client.serverStatus(5000)).connectedNodes).toBe(1);
    } finally {
      client.close();
    }
  });

  it('without a client certificate Relay refuses: unavailable, never an empty list of drops', async () => {
    const fact = await readRelayFlows({ address: relay.address, tls: { caFile: files.ca, serverName: SERVER_NAME } }, { filters: [], maxFlows: 10, deadlineMs: 5000 });
    expect(fact.ok).toBe(false);
    if (fact.ok) return;
    expect(fact.detail).toContain(relay.address);
    expect(fact.reason).toBe('forbidden');
    expect(fact.detail).toMatch(/certificate required/);
    expect(fact.fix).toContain('HUBBLE_RELAY_TLS_CERT/HUBBLE_RELAY_TLS_KEY');
  });

  it('plaintext against a TLS Relay is refused too', async () => {
    const fact = await readRelayFlows({ address: relay.address }, { filters: [], maxFlows: 10, deadlineMs: 5000 });
    expect(fact.ok).toBe(false);
  });
});

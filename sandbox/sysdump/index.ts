// The sandbox's sysdump: start the emulator on a scenario, write its sysdump, stop. Used by
// `npm run sandbox -- --scenario X --sysdump out.zip` and the tests.
import { writeFileSync } from 'node:fs';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { startKubeEmulator } from '../kube/index.ts';
import type { Scenario } from '../scenario/schema.ts';
import { writeSysdump, type SysdumpWriteOptions } from './write-sysdump.ts';

export { writeSysdump, sysdumpTimestamp } from './write-sysdump.ts';

export async function scenarioSysdump(scenario: Scenario, opts: SysdumpWriteOptions = {}): Promise<{ name: string; bytes: Uint8Array }> {
  const kube = await startKubeEmulator({ scenario });
  try {
    const reader = new ClientNodeCluster(scenario.name, loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
    return await writeSysdump(kube.store, reader, opts);
  } finally {
    await kube.stop();
  }
}

/** Writes the scenario's sysdump to `path`; returns its size in bytes. */
export async function writeScenarioSysdumpFile(scenario: Scenario, path: string): Promise<number> {
  const { bytes } = await scenarioSysdump(scenario);
  writeFileSync(path, bytes);
  return bytes.length;
}

import { describe, expect, it } from 'vitest';
import { ciliumCliName, ciliumVersionFromImage, ciliumVersionFromLogs, imageTag, upstreamVersion } from '../../../runbooks/engine/cilium-version.ts';

describe('ciliumVersionFromImage: upstream, mirrors, vendor builds, digests', () => {
  it.each([
    ['quay.io/cilium/cilium:v1.15.6@sha256:abc', '1.15.6'],
    ['quay.io/cilium/cilium:v1.17.5@sha256:baf8541723ee0b72d6c489c741c81a6fdc5228940d66cb76ef5ea2ce3c639ea6', '1.17.5'],
    ['quay.io/cilium/cilium:v1.18.0-rc.1', '1.18.0-rc.1'],
    ['quay.io/cilium/cilium:v1.16.0-pre.3', '1.16.0-pre.3'], // cilium/cilium#32909
    ['quay.io/cilium/cilium:v1.12.0-rc2', '1.12.0-rc2'], // cilium/cilium#19816
    ['localhost:5000/cilium/cilium:1.16.3', '1.16.3'],
    ['docker.io/rancher/mirrored-cilium-cilium:v1.17.1', '1.17.1'], // rancher/rke2#8074
    ['mcr.microsoft.com/oss/cilium/cilium:v1.17.17-260701', '1.17.17'], // Azure/azure-container-networking PR #4568
    ['mcr.microsoft.com/oss/cilium/cilium:1.14.10-1', '1.14.10'],
    ['gke.gcr.io/cilium/cilium:v1.15.10-gke.9', '1.15.10'],
    ['quay.io/cilium/cilium@sha256:edc1d05ea1365c4a8f6ac6982247d5c145181704894bb698619c3827b6963a72', null], // OLM-style digest only
    ['localhost:5000/cilium/cilium', null],
    ['quay.io/cilium/cilium:latest', null],
  ])('%s → %s', (image, version) => {
    expect(ciliumVersionFromImage(image)).toBe(version);
  });

  it('reads the tag after the last slash only (a registry port is not a tag)', () => {
    expect(imageTag('localhost:5000/cilium/cilium')).toBeNull();
    expect(imageTag('localhost:5000/cilium/cilium:v1.2.3@sha256:x')).toBe('v1.2.3');
    expect(upstreamVersion('1.12.1.1')).toBe('1.12.1');
  });
});

describe('ciliumVersionFromLogs: the startup banner in any log format', () => {
  it.each([
    // netdev thread "bpf: implement CAP_BPF", Daniel Borkmann, 2019-09-04:
    // https://lore.kernel.org/netdev/5e36a193-8ad9-77e7-e2ff-429fb521a79c@iogearbox.net/
    ['logfmt behind --timestamps', '2019-09-04T14:11:46.399478585Z level=info msg="Cilium 1.6.90 ba0ed147b 2019-09-03T21:20:30+02:00 go version go1.12.8 linux/amd64" subsys=daemon', '1.6.90'],
    // https://github.com/cilium/cilium/issues/26942
    ['JSON', '{"level":"info","msg":"Cilium 1.13.3 36cb0eed 2023-05-17T12:31:14-04:00 go version go1.19.8 linux/amd64","subsys":"daemon"}', '1.13.3'],
    // https://github.com/cilium/cilium/issues/742
    ['2017 text format', '2017-05-17T07:32:18Z INFO Cilium 0.8.90 37776f0 Tue, 16 May 2017 23:44:30 +0200 go version go1.8.1 linux/amd64', '0.8.90'],
    // 1.18 slog text, as daemon_main.go's `logger.Info(fmt.Sprintf("Cilium %s", version.Version))` prints it (no public quote found)
    ['slog text', 'time=2025-08-01T10:00:00Z level=info msg="Cilium 1.18.0 6e6d4a0b 2025-07-29T12:00:00+00:00 go version go1.24.5 linux/arm64"', '1.18.0'],
  ])('%s', (_shape, line, version) => {
    expect(ciliumVersionFromLogs(`level=info msg="     _ _ _" subsys=daemon\n${line}\nlevel=info msg="Initializing daemon" subsys=daemon\n`)).toBe(version);
  });

  it('takes the last start, ignores the operator banner and mentions of a version', () => {
    const text = [
      'level=info msg="Cilium 1.14.5 85db28be 2023-12-11T14:30:54+01:00 go version go1.20.12 linux/amd64" subsys=daemon',
      'level=info msg="Cilium Operator 1.15.1 a368c8f0 2024-02-14T22:16:57+00:00 go version go1.21.6 linux/amd64" subsys=cilium-operator-generic',
      'level=info msg="Upgrading to Cilium 1.15.1 after go version check" subsys=daemon',
      'level=info msg="Cilium 1.15.1 a368c8f0 2024-02-14T22:16:57+00:00 go version go1.21.6 linux/amd64" subsys=daemon',
    ];
    expect(ciliumVersionFromLogs(text.join('\n'))).toBe('1.15.1');
    expect(ciliumVersionFromLogs(text.slice(1, 3).join('\n'))).toBeNull();
    expect(ciliumVersionFromLogs('')).toBeNull();
  });
});

describe('ciliumCliName', () => {
  it.each([
    ['1.14.5', 'cilium'], ['1.12.10', 'cilium'], ['0.8.90', 'cilium'],
    ['1.15.0-rc.1', 'cilium-dbg'], ['1.15.0', 'cilium-dbg'], ['1.18.3', 'cilium-dbg'],
    [null, 'cilium-dbg'], ['not-a-version', 'cilium-dbg'],
  ] as const)('%s → %s', (version, name) => {
    expect(ciliumCliName(version)).toBe(name);
  });
});

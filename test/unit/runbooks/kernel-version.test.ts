import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareTriples, effectiveKernel, parseKernelVersion } from '../../../runbooks/engine/kernel-version.ts';
import { ciliumKernelFloor, FEATURE_REQUIREMENTS, kernelNamedInMessage, newestReleaseFor, satisfies, unmetFeatures } from '../../../runbooks/engine/kernel-matrix.ts';

describe('parseKernelVersion', () => {
  it.each([
    ['4.14.336-257.566.amzn2.x86_64', [4, 14, 336]],
    ['5.15.0-1051-azure', [5, 15, 0]],
    ['6.1.0-18-cloud-amd64', [6, 1, 0]],
    ['4.18.0-553.el8_10.x86_64', [4, 18, 0]],
    ['5.4.17-2136.311.6.1.el7uek.x86_64', [5, 4, 17]],
    ['6.18', [6, 18, 0]],
    ['6.1.69-talos', [6, 1, 69]],
    ['5.10.0+', [5, 10, 0]],
  ])('%s', (raw, triple) => {
    const k = parseKernelVersion(raw);
    expect(k && [k.major, k.minor, k.patch]).toEqual(triple);
  });

  it('rejects what is not a kernel', () => {
    for (const raw of ['', 'latest', 'v', '5', 'abc-5.4', '5.4beta']) expect(parseKernelVersion(raw)).toBeNull();
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string(), (s) => { parseKernelVersion(s); }));
  });
});

describe('vendor kernels (RHEL 8 family)', () => {
  it.each([
    ['4.18.0-553.el8_10.x86_64', 10, [5, 10, 0]],
    ['4.18.0-553.5.1.el8.x86_64', 10, [5, 10, 0]],
    ['4.18.0-372.9.1.el8.x86_64', 6, [5, 4, 0]],
    ['4.18.0-513.24.1.el8_9.x86_64', 9, [5, 4, 0]],
    ['4.18.0-305.el8.x86_64', 4, [4, 19, 57]],
  ])('%s counts as RHEL 8.%i', (raw, minor, effective) => {
    const k = parseKernelVersion(raw);
    expect(k?.rhel8Minor).toBe(minor);
    expect(k && effectiveKernel(k).version).toEqual(effective);
  });

  it('a plain 4.18 or Oracle UEK kernel is taken at face value', () => {
    expect(parseKernelVersion('4.18.0-25-generic')?.rhel8Minor).toBeNull();
    const uek = parseKernelVersion('5.4.17-2136.311.6.1.el7uek.x86_64');
    expect(uek && effectiveKernel(uek).vendorNote).toBeNull();
  });
});

describe('Cilium floors (fact sheet §1.1)', () => {
  it.each([
    ['1.0.3', [4, 8, 0]], ['1.12.19', [4, 9, 17]], ['1.13.0', [4, 19, 57]], ['1.15.6', [4, 19, 57]],
    ['1.16.3', [5, 4, 0]], ['1.17.4', [5, 4, 0]], ['1.18.0-rc.1', [5, 10, 0]], ['1.19.7', [5, 10, 0]],
  ])('%s needs %j', (version, minimum) => {
    expect(ciliumKernelFloor(version)?.minimum).toEqual(minimum);
  });

  it('unparseable versions have no floor', () => {
    expect(ciliumKernelFloor('latest')).toBeNull();
  });

  it('names the newest release a kernel can run', () => {
    expect(newestReleaseFor([5, 4, 0])?.releases).toBe('1.16–1.17');
    expect(newestReleaseFor([4, 14, 336])?.releases).toBe('1.1–1.12');
  });
});

describe('feature requirements (fact sheet §1.2)', () => {
  const socketLb = FEATURE_REQUIREMENTS.find((f) => f.id === 'socket-lb');
  it('socket LB uses per-branch minimums: 4.19.57, 5.1.16, 5.2.0', () => {
    if (socketLb === undefined) throw new Error('missing socket-lb');
    expect(satisfies(socketLb, [4, 19, 57])).toBe(true);
    expect(satisfies(socketLb, [4, 19, 20])).toBe(false);
    expect(satisfies(socketLb, [5, 0, 21])).toBe(false);
    expect(satisfies(socketLb, [5, 1, 16])).toBe(true);
    expect(satisfies(socketLb, [5, 1, 15])).toBe(false);
    expect(satisfies(socketLb, [5, 4, 0])).toBe(true);
  });

  it('Ubuntu 20.04 (5.4) runs the bandwidth manager but not BBR (blog correction 8)', () => {
    const unmet = unmetFeatures({ 'enable-bandwidth-manager': 'true', 'enable-bbr': 'true' }, [5, 4, 0]);
    expect(unmet.map((u) => u.feature.id)).toEqual(['bbr']);
  });

  it('KPR auto-enables socket LB unless bpf-lb-sock is false', () => {
    expect(unmetFeatures({ 'kube-proxy-replacement': 'true' }, [4, 19, 20]).map((u) => u.feature.id)).toContain('socket-lb');
    expect(unmetFeatures({ 'kube-proxy-replacement': 'true', 'bpf-lb-sock': 'false' }, [4, 19, 20]).map((u) => u.feature.id)).not.toContain('socket-lb');
  });

  it('multicast needs 6.0 on arm64', () => {
    expect(unmetFeatures({ 'multicast-enabled': 'true' }, [5, 15, 0], 'arm64').map((u) => u.required)).toEqual([[6, 0, 0]]);
    expect(unmetFeatures({ 'multicast-enabled': 'true' }, [5, 15, 0], 'amd64')).toEqual([]);
  });

  it('reads the kernel named in agent messages', () => {
    expect(kernelNamedInMessage('requirements failed: Require support for dead code elimination (Linux 5.1 or newer)')).toEqual([5, 1, 0]);
    expect(kernelNamedInMessage('BPF NodePort services needs kernel 4.17.0 or newer.')).toEqual([4, 17, 0]);
    expect(kernelNamedInMessage('kernel version: NOT OK: minimal supported kernel version is >= 4.8.0; kernel version that is running is: 4.4.0')).toEqual([4, 8, 0]);
    expect(kernelNamedInMessage('FATAL: kernel too old to run Cilium (4.14.0 < 4.19.57)')).toBeNull();
    expect(compareTriples([6, 18, 0], [5, 1, 0])).toBeGreaterThan(0);
  });
});

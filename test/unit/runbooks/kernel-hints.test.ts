// Where a newer kernel comes from, per node OS: a Debian 10 patch-level target is the current buster package, a
// 5.x target needs backports or a newer release; image-based OSes need a new node image.
import { describe, expect, it } from 'vitest';
import { kernelUpgradeHint } from '../../../runbooks/engine/os-kernel-hints.ts';

describe('kernelUpgradeHint', () => {
  it('Debian 10 below 4.19.57: the current buster kernel package is enough', () => {
    const h = kernelUpgradeHint('Debian GNU/Linux 10 (buster)', [4, 19, 57]);
    expect(h.commands).toEqual(['sudo apt-get update && sudo apt-get install -y linux-image-amd64 && sudo reboot']);
    expect(h.detail).toContain('4.19.0-27-amd64 is upstream 4.19.316');
  });

  it('Debian 10 below 5.4: buster-backports or a newer Debian', () => {
    expect(kernelUpgradeHint('Debian GNU/Linux 10 (buster)', [5, 4, 0]).commands[0]).toContain('buster-backports');
  });

  it.each([
    ['Bottlerocket OS 1.5.3 (vmware-k8s-1.21)', 'a newer Bottlerocket release'],
    ['Container-Optimized OS from Google', 'a newer Container-Optimized OS release'],
    ['Flatcar Container Linux by Kinvolk 3227.2.4 (Oklo)', 'a newer Flatcar release'],
    ['Talos (v1.6.1)', 'a newer Talos release'],
    ['Microsoft Azure Linux 3.0', 'a newer Azure Linux release'],
    ['Some Linux', 'an image'],
  ])('%s: roll the node pool to %s', (osImage, what) => {
    expect(kernelUpgradeHint(osImage, [5, 10, 0]).detail).toBe(`Roll the node pool to ${what} whose kernel is at least 5.10.0 (check with \`uname -r\`), then replace the nodes.`);
  });
});

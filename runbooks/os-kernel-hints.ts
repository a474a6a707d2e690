// How to get a newer kernel on the common node OS images, so a fix step names a concrete path.
// Package names are the distributions' own (Ubuntu HWE meta-packages, amazon-linux-extras, Debian backports).
import { compareTriples, formatTriple, type KernelTriple } from './kernel-version.ts';

export interface KernelUpgradeHint {
  detail: string;
  commands: string[];
}

export function kernelUpgradeHint(osImage: string, target: KernelTriple): KernelUpgradeHint {
  const want = formatTriple(target);
  if (/Amazon Linux 2(?!\d)/i.test(osImage)) {
    // amazon-linux-extras offers 5.10 at most; anything newer means Amazon Linux 2023 (6.1).
    const extrasEnough = compareTriples(target, [5, 10, 0]) <= 0;
    return {
      detail: extrasEnough
        ? `Amazon Linux 2 ships 4.14 by default. Install the 5.10 kernel from amazon-linux-extras and reboot, or move the node group to Amazon Linux 2023 (6.1).`
        : `Amazon Linux 2 cannot reach ${want}; move the node group to Amazon Linux 2023 (kernel 6.1 or newer).`,
      commands: extrasEnough ? ['sudo amazon-linux-extras install -y kernel-5.10 && sudo reboot'] : [],
    };
  }
  const ubuntu = /Ubuntu (\d+\.\d+)/i.exec(osImage)?.[1];
  if (ubuntu === '18.04' || ubuntu === '20.04' || ubuntu === '22.04') {
    const hwe = { '18.04': '5.4', '20.04': '5.15', '22.04': '6.8' }[ubuntu];
    return {
      detail: `Ubuntu ${ubuntu}: the HWE kernel (${hwe}) or a newer node image; the target is at least ${want}.`,
      commands: [`sudo apt-get update && sudo apt-get install -y linux-generic-hwe-${ubuntu} && sudo reboot`],
    };
  }
  if (/(Red Hat|Rocky|AlmaLinux|CentOS|Oracle Linux)(?:(?!Red Hat|Rocky|AlmaLinux|CentOS|Oracle Linux).)*\b8(\.\d+)?\b/i.test(osImage)) {
    return {
      detail: `RHEL 8 family: Cilium counts 4.18 kernels by RHEL release (8.6 ≈ 5.4, 8.10 ≈ 5.10). Update to RHEL 8.10 or move to RHEL 9 (5.14); the target is ${want}.`,
      commands: ['sudo dnf update -y kernel && sudo reboot'],
    };
  }
  if (/Debian GNU\/Linux 10/i.test(osImage)) {
    return {
      detail: `Debian 10 ships 4.19; use the buster-backports 5.10 kernel or move to Debian 11/12; the target is ${want}.`,
      commands: ['sudo apt-get install -y -t buster-backports linux-image-amd64 && sudo reboot'],
    };
  }
  return {
    detail: `Roll the node pool to an image whose kernel is at least ${want} (check with \`uname -r\`), then replace the nodes.`,
    commands: [],
  };
}

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
  if (/Debian GNU\/Linux 10/i.test(osImage) && target[0] === 4 && target[1] === 19) {
    // Buster's own 4.19 kernel reached upstream 4.19.316 ("4.19.0-27-amd64 #1 SMP Debian 4.19.316-1 (2024-06-25)",
    // uname -a quoted in a public write-up): a patch-level target needs only the current buster package.
    return {
      detail: `Debian 10's 4.19 kernel package is far past ${want} once updated (4.19.0-27-amd64 is upstream 4.19.316); install the current one and reboot, or move to Debian 11/12.`,
      commands: ['sudo apt-get update && sudo apt-get install -y linux-image-amd64 && sudo reboot'],
    };
  }
  if (/Debian GNU\/Linux 10/i.test(osImage)) {
    return {
      detail: `Debian 10 ships 4.19; use the buster-backports 5.10 kernel or move to Debian 11/12; the target is ${want}.`,
      commands: ['sudo apt-get install -y -t buster-backports linux-image-amd64 && sudo reboot'],
    };
  }
  // Image-based OSes (Bottlerocket, COS, Flatcar, Talos, Azure Linux) change kernels only with a new node image.
  const image = /(Bottlerocket|Container-Optimized OS|Flatcar|Talos|Azure Linux|CBL-Mariner)/i.exec(osImage)?.[1];
  return {
    detail: `Roll the node pool to ${image === undefined ? 'an image' : `a newer ${image} release`} whose kernel is at least ${want} (check with \`uname -r\`), then replace the nodes.`,
    commands: [],
  };
}

// A ClientNodeCluster that is not one to `instanceof`: nothing is streamed, every list goes through client-node's
// own models. The reference the streamed, slimmed reads are compared with.
import type { ClientNodeCluster } from '../../jobs/kube/client-node-cluster.ts';
import type { ClusterReader } from '../../jobs/kube/cluster-reader.ts';

export function modelsOnly(target: ClientNodeCluster): ClusterReader {
  return new Proxy(target, {
    getPrototypeOf: () => Object.prototype,
    get: (t, prop) => {
      const value: unknown = Reflect.get(t, prop, t);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

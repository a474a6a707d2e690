// The calls the node probe makes, and nothing else: create, read, log, delete and list pods in ONE namespace
// (the RBAC of deploy/overlays/node-probe grants exactly these there).
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { attempt, read } from '../../kube/client-node-support.ts';

export interface ProbePodsApi {
  create(namespace: string, pod: V1Pod): Promise<V1Pod>;
  get(namespace: string, name: string): Promise<V1Pod>;
  /** The container's whole log, cut at limitBytes. */
  log(namespace: string, name: string, container: string, limitBytes: number): Promise<string>;
  /** Deletes now (grace 0); a pod already gone is not an error for the caller to handle (404 is thrown as is). */
  delete(namespace: string, name: string): Promise<void>;
  list(namespace: string, labelSelector: string): Promise<V1Pod[]>;
}

export class ClientNodeProbePods implements ProbePodsApi {
  private readonly core: CoreV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  create(namespace: string, pod: V1Pod) {
    return attempt(`create pods in ${namespace}`, () => this.core.createNamespacedPod({ namespace, body: pod }));
  }

  get(namespace: string, name: string) {
    return read(`get pods/${name} in ${namespace}`, () => this.core.readNamespacedPod({ namespace, name }));
  }

  log(namespace: string, name: string, container: string, limitBytes: number) {
    return read(`get pods/log in ${namespace}`, () => this.core.readNamespacedPodLog({ namespace, name, container, limitBytes }));
  }

  async delete(namespace: string, name: string) {
    await attempt(`delete pods/${name} in ${namespace}`, () => this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }));
  }

  async list(namespace: string, labelSelector: string) {
    return (await read(`list pods in ${namespace}`, () => this.core.listNamespacedPod({ namespace, labelSelector }))).items;
  }
}

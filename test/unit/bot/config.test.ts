import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../bot/config.ts';
import { ConfigError } from '../../../bot/errors.ts';

const socketEnv = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_APP_TOKEN: 'xapp-1-A1-abc',
  REDIS_URL: 'redis://127.0.0.1:6379',
  KUBECONFIG: '/tmp/kubeconfig',
};

describe('loadConfig', () => {
  it('defaults to Socket Mode and fills in defaults', () => {
    const c = loadConfig(socketEnv);
    expect(c.slack.mode).toBe('socket');
    expect(c.slack.appToken).toBe('xapp-1-A1-abc');
    expect(c.clusterName).toBe('default');
    expect(c.allowedChannels).toEqual([]);
    expect(c.kube).toEqual({ kubeconfigPath: '/tmp/kubeconfig', inCluster: false });
  });

  it('lists every missing variable at once, each with what it is for', () => {
    let err: unknown;
    try {
      loadConfig({});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'REDIS_URL', 'KUBECONFIG']);
    expect(problems[1]).toMatch(/Socket Mode/);
  });

  it('needs a signing secret, not an app token, in HTTP mode', () => {
    const env = { ...socketEnv, SLACK_MODE: 'http', SLACK_APP_TOKEN: undefined };
    expect(() => loadConfig(env)).toThrow(/SLACK_SIGNING_SECRET is missing/);
    expect(loadConfig({ ...env, SLACK_SIGNING_SECRET: 'a-long-secret' }).slack.mode).toBe('http');
  });

  it('reports malformed values with the variable name', () => {
    expect(() => loadConfig({ ...socketEnv, SLACK_BOT_TOKEN: 'xoxp-user-token' })).toThrow(/SLACK_BOT_TOKEN: must be a bot token/);
    expect(() => loadConfig({ ...socketEnv, REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL: must be a redis:\/\//);
    expect(() => loadConfig({ ...socketEnv, SLACK_MODE: 'webhook' })).toThrow(/SLACK_MODE/);
  });

  it('serves health and metrics on HEALTH_PORT (8080, all interfaces) unless it is 0', () => {
    expect(loadConfig(socketEnv).health).toEqual({ port: 8080, host: '0.0.0.0', detailsPort: 8081 });
    expect(loadConfig({ ...socketEnv, HEALTH_PORT: '9102', HEALTH_HOST: '127.0.0.1' }).health).toEqual({ port: 9102, host: '127.0.0.1', detailsPort: 8081 });
    expect(loadConfig({ ...socketEnv, HEALTH_DETAILS_PORT: '0' }).health).toEqual({ port: 8080, host: '0.0.0.0' });
    expect(() => loadConfig({ ...socketEnv, HEALTH_DETAILS_PORT: '-1' })).toThrow(/HEALTH_DETAILS_PORT/);
    expect(loadConfig({ ...socketEnv, HEALTH_PORT: '0' }).health).toBeUndefined();
    expect(() => loadConfig({ ...socketEnv, HEALTH_PORT: '70000' })).toThrow(/HEALTH_PORT/);
    expect(() => loadConfig({ ...socketEnv, HEALTH_HOST: 'not an address' })).toThrow(/HEALTH_HOST/);
  });

  it('parses the channel allow-list and in-cluster config', () => {
    const c = loadConfig({ ...socketEnv, KUBECONFIG: undefined, KUBE_IN_CLUSTER: 'true', ALLOWED_CHANNELS: 'C1, C2,' });
    expect(c.allowedChannels).toEqual(['C1', 'C2']);
    expect(c.kube.inCluster).toBe(true);
  });

  it('parses further clusters as cluster=context pairs and refuses malformed or duplicate names', () => {
    const c = loadConfig({ ...socketEnv, CLUSTER_NAME: 'prod', KUBE_CONTEXTS: 'staging=gke_staging, dev=kind-dev' });
    expect(c.extraClusters).toEqual([
      { name: 'staging', context: 'gke_staging' },
      { name: 'dev', context: 'kind-dev' },
    ]);
    expect(() => loadConfig({ ...socketEnv, KUBE_CONTEXTS: 'staging' })).toThrow(/KUBE_CONTEXTS: "staging" is not cluster=context/);
    expect(() => loadConfig({ ...socketEnv, CLUSTER_NAME: 'prod', KUBE_CONTEXTS: 'prod=x' })).toThrow(/named twice/);
  });
});

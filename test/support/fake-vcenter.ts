import type { VCenter, VCenterClient, VCenterTarget } from '../../shared/ports/vcenter';

/**
 * The vCenter port, faked for unit tests: each instance's client comes from `clientOf` (by default there is
 * no vCenter at all); which instances were dropped is kept for assertions.
 */
export class FakeVCenter implements VCenter {
  readonly dropped: string[] = [];
  private readonly clients = new Map<string, VCenterClient>();

  constructor(
    private readonly clientOf: (target: VCenterTarget) => VCenterClient = (t) => {
      throw new Error(`no vCenter in this test (${t.url})`);
    },
  ) {}

  connect(target: VCenterTarget): VCenterClient {
    let client = this.clients.get(target.instanceId);
    if (!client) {
      client = this.clientOf(target);
      this.clients.set(target.instanceId, client);
    }
    return client;
  }

  health(instanceId: string) {
    return this.clients.get(instanceId)?.health();
  }

  async drop(instanceId: string) {
    this.dropped.push(instanceId);
    this.clients.delete(instanceId);
  }

  async closeAll() {
    this.clients.clear();
  }

  forgetAll() {
    this.clients.clear();
  }

  async peerThumbprint(url: string): Promise<string> {
    throw new Error(`no vCenter in this test (${url})`);
  }

  async about(url: string): Promise<never> {
    throw new Error(`no vCenter in this test (${url})`);
  }

  async checkLogin(url: string): Promise<never> {
    throw new Error(`no vCenter in this test (${url})`);
  }
}

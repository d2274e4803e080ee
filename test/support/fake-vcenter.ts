import type { InventoryKind, VCenterInstance } from '../../shared/domain/vcenter';
import type { VCenter, VCenterClient, VCenterTarget } from '../../shared/ports/vcenter';
import type { InventoryRecord } from '../../shared/records/vcenter';
import { FAKE_LIMITS } from './upstream-limits';

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

  limits() {
    return FAKE_LIMITS;
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

/** A vCenter instance record as registration writes it (site-001, si-vc, insecure TLS), registered `at`; `fields` on top. */
export function instanceRecord(id: string, at: string, fields: Partial<VCenterInstance> = {}): VCenterInstance {
  return {
    id,
    name: id,
    description: '',
    url: `https://${id}.example/sdk`,
    site_id: 'site-001',
    service_identity_id: 'si-vc',
    tls: { insecure: true },
    created_at: at,
    updated_at: at,
    created_by: 'test',
    version: 1,
    ...fields,
  };
}

/** An inventory record of vc-001 as an earlier sync stored it; `fields` on top. */
export function storedRecord(kind: InventoryKind, moref: string, fields: Partial<InventoryRecord> = {}): InventoryRecord {
  return { instance_id: 'vc-001', kind, moref, name: moref, hash: 'h', data: {}, synced_at: '2026-11-23T10:00:00.000Z', ...fields };
}

import { startVcsim } from '../test/support/vcsim';
import { VSphereClient, containerViewSpec } from '../shared/adapters/vsphere';
const sim = await startVcsim({ clusters: 2, hostsPerCluster: 3, vmsPerHost: 2 });
console.log(sim.url, sim.counts, sim.thumbprint);
const c = new VSphereClient({ url: sim.url, credentials: { username: sim.user, password: sim.password }, tls: { kind: 'pinned', thumbprint: sim.thumbprint } });
try {
  console.log((await c.login()).userName, c.apiVersion);
  const view = await c.createContainerView(['VirtualMachine', 'HostSystem', 'ClusterComputeResource']);
  let n = 0; const byType: Record<string, number> = {};
  for await (const o of c.retrievePropertiesEx([containerViewSpec(view, { VirtualMachine: ['name', 'runtime.powerState', 'guest.net', 'config.hardware.device', 'datastore'], HostSystem: ['name', 'config.network.vnic', 'hardware.systemInfo', 'summary.hardware.memorySize'], ClusterComputeResource: ['name', 'configurationEx'] })], { maxObjects: 5 })) {
    byType[o.obj.type] = (byType[o.obj.type] ?? 0) + 1;
    if (n++ < 1 || (o.obj.type !== 'VirtualMachine' && byType[o.obj.type] === 1)) console.log(JSON.stringify(o, (_, v) => typeof v === 'bigint' ? v.toString() : v).slice(0, 2500));
  }
  console.log(byType);
  const pcol = await c.createPropertyCollector();
  await c.createFilter(pcol, containerViewSpec(view, { VirtualMachine: ['runtime.powerState', 'name'] }));
  let u = await c.waitForUpdatesEx(pcol, '', { maxWaitSeconds: 0, maxObjectUpdates: 5 });
  console.log('v', u.version, u.truncated, u.filterSet[0]?.objectSet.length);
  while (u.truncated) { u = await c.waitForUpdatesEx(pcol, u.version, { maxWaitSeconds: 0, maxObjectUpdates: 5 }); console.log('v', u.version, u.truncated, u.filterSet[0]?.objectSet.length); }
  const vm = { type: 'VirtualMachine', value: 'vm-' } ;
  const first = (await c.retrievePropertiesExPage([containerViewSpec(view, { VirtualMachine: ['name'] })])).objects[0]!.obj;
  const task = await c.invoke('PowerOffVM_Task', first) as any;
  console.log('task', task, (await c.waitForTask(task)).state);
  const d = await c.waitForUpdatesEx(pcol, u.version, { maxWaitSeconds: 5 });
  console.log(JSON.stringify(d));
  await c.waitForUpdatesEx(pcol, 'bogus', { maxWaitSeconds: 0 }).catch((e) => console.log(e.name, e.message));
  console.log(c.health());
} finally { await c.close(); await sim.stop(); }

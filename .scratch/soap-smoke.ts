import https from 'node:https';
import * as soap from 'soap';
import { startVcsim } from '../test/support/vcsim';
const sim = await startVcsim({});
try {
  const agent = new https.Agent({ ca: sim.certPem, keepAlive: true });
  const client = await soap.createClientAsync(new URL('../test/vsphere/bench/vim25-minimal.wsdl', import.meta.url).pathname, { endpoint: sim.url, wsdl_options: {} });
  const opts = { httpsAgent: agent };
  const [sc] = await client.RetrieveServiceContentAsync({ _this: { attributes: { type: 'ServiceInstance' }, $value: 'ServiceInstance' } }, opts);
  console.log(JSON.stringify(sc).slice(0, 600));
  const [login, , , hdrs] = await client.LoginAsync({ _this: { attributes: { type: 'SessionManager' }, $value: 'SessionManager' }, userName: sim.user, password: sim.password }, opts);
  console.log(login.returnval.userName, client.lastResponseHeaders?.['set-cookie']);
  const cookie = String(client.lastResponseHeaders?.['set-cookie']?.[0] ?? '').split(';')[0];
  client.addHttpHeader('Cookie', cookie);
  const [cv] = await client.CreateContainerViewAsync({ _this: { attributes: { type: 'ViewManager' }, $value: 'ViewManager' }, container: { attributes: { type: 'Folder' }, $value: 'group-d1' }, type: ['VirtualMachine'], recursive: true }, opts);
  console.log(JSON.stringify(cv));
  const view = cv.returnval;
  const [rp] = await client.RetrievePropertiesExAsync({ _this: { attributes: { type: 'PropertyCollector' }, $value: 'propertyCollector' }, specSet: [{ propSet: [{ type: 'VirtualMachine', all: false, pathSet: ['name', 'runtime.powerState', 'runtime.host', 'guest.net', 'datastore'] }], objectSet: [{ obj: { attributes: { type: 'ContainerView' }, $value: view.$value }, skip: true, selectSet: [{ attributes: { 'xsi:type': 'TraversalSpec' }, name: 'v', type: 'ContainerView', path: 'view', skip: false }] }] }], options: { maxObjects: 4 } }, opts);
  console.log(JSON.stringify(rp).slice(0, 2000));
  console.log(client.lastRequest?.slice(0, 1500));
} finally { await sim.stop(); }

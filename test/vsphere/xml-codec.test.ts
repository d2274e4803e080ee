import { describe, expect, it } from 'vitest';
import { decodeValue } from '../../shared/adapters/vsphere/decode';
import { requestEnvelope, responseBody } from '../../shared/adapters/vsphere/envelope';
import {
  InvalidCollectorVersionFault,
  InvalidLoginFault,
  ManagedObjectNotFoundFault,
  NotAuthenticatedFault,
  VSphereFault,
} from '../../shared/adapters/vsphere/errors';
import { throwIfSilentlyExpired } from '../../shared/adapters/vsphere/property-collector';
import { retrieveResult, updateSet } from '../../shared/adapters/vsphere/results';
import { encodeFilterSpec } from '../../shared/adapters/vsphere/specs';
import { child, parseXml, XmlSyntaxError } from '../../shared/adapters/vsphere/xml-parse';

const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
/** A <val> as vCenter writes it (xsi prefix) or as vcsim does (XMLSchema-instance prefix). */
const val = (inner: string, type: string, prefix = 'xsi') =>
  parseXml(`<val xmlns:${prefix}="http://www.w3.org/2001/XMLSchema-instance" ${prefix}:type="${type}">${inner}</val>`).children[0]!;
function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
const envelope = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ${XSI}>` +
  `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

describe('XML reader', () => {
  it('drops namespace prefixes, keeps attributes and decodes named and numeric entities', () => {
    const doc = parseXml(
      '<?xml version="1.0"?><!-- c --><a:root xmlns:a="urn:x"><b k="1 &gt; 0" q=\'x\'>a&#xA;b &amp; &lt;c&gt; &#39;q&#39;</b>' +
        '<c/><d></d><e><![CDATA[<raw>]]></e></a:root>',
    );
    const root = doc.children[0]!;
    expect(root.name).toBe('root');
    expect(root.attrs).toBeUndefined(); // xmlns declarations are not data
    expect(root.children.map((c) => [c.name, c.attrs, c.text])).toEqual([
      ['b', { k: '1 > 0', q: 'x' }, "a\nb & <c> 'q'"],
      ['c', undefined, ''],
      ['d', undefined, ''],
      ['e', undefined, '<raw>'],
    ]);
  });

  it('keeps leading and trailing spaces of text (vCenter data has them)', () => {
    expect(parseXml('<a> No Asset Tag </a>').children[0]!.text).toBe(' No Asset Tag ');
  });

  it('names the schema instance type xsi:type whatever its prefix', () => {
    expect(val('x', 'xsd:string', 'XMLSchema-instance').attrs).toEqual({ 'xsi:type': 'xsd:string' });
  });

  it.each([
    ['<a><b></a>', 'unexpected </a>'],
    ['<a>', '<a> is not closed'],
    ['<a b=1/>', 'unquoted attribute'],
    ['</a>', 'unexpected </a>'],
  ])('rejects malformed XML %s', (xml, message) => {
    expect(() => parseXml(xml)).toThrow(XmlSyntaxError);
    expect(() => parseXml(xml)).toThrow(message);
  });
});

describe('property decoder', () => {
  it.each([
    ['xsd:string', 'DC0_H0', 'DC0_H0'],
    ['xsd:int', '42', 42],
    ['xsd:short', '-3', -3],
    ['xsd:long', '4294430720', 4294430720],
    ['xsd:long', '18446744073709551615', 18446744073709551615n],
    ['xsd:double', '2.5', 2.5],
    ['xsd:boolean', 'true', true],
    ['xsd:boolean', 'false', false],
    ['xsd:dateTime', '2026-11-23T11:52:45.632325184Z', '2026-11-23T11:52:45.632325184Z'],
    ['VirtualMachinePowerState', 'poweredOff', 'poweredOff'],
  ])('decodes %s %s', (type, text, expected) => {
    expect(decodeValue(val(text, type))).toEqual(expected);
  });

  it('decodes a ManagedObjectReference and arrays of references and strings', () => {
    expect(decodeValue(parseXml(`<val ${XSI} xsi:type="ManagedObjectReference" type="HostSystem">host-23</val>`).children[0]!)).toEqual({
      type: 'HostSystem',
      value: 'host-23',
    });
    expect(
      decodeValue(val('<ManagedObjectReference type="Datastore">ds-1</ManagedObjectReference>', 'ArrayOfManagedObjectReference')),
    ).toEqual([{ type: 'Datastore', value: 'ds-1' }]);
    expect(decodeValue(val('<string>a</string><string>b</string>', 'ArrayOfString'))).toEqual(['a', 'b']);
    expect(decodeValue(val('<int>1</int><int>2</int>', 'ArrayOfInt'))).toEqual([1, 2]);
    expect(decodeValue(val('', 'ArrayOfString'))).toEqual([]);
  });

  it('types nested fields of GuestNicInfo and keeps one-element lists as lists', () => {
    const nic =
      '<GuestNicInfo><network>VM Network</network><ipAddress>10.0.0.5</ipAddress><macAddress>00:50:56:aa:bb:cc</macAddress>' +
      '<connected>true</connected><deviceConfigId>4000</deviceConfigId><ipConfig><ipAddress><ipAddress>10.0.0.5</ipAddress>' +
      '<prefixLength>24</prefixLength><state>preferred</state></ipAddress></ipConfig></GuestNicInfo>';
    expect(decodeValue(val(nic, 'ArrayOfGuestNicInfo'))).toEqual([
      {
        network: 'VM Network',
        ipAddress: ['10.0.0.5'],
        macAddress: '00:50:56:aa:bb:cc',
        connected: true,
        deviceConfigId: 4000,
        ipConfig: { ipAddress: [{ ipAddress: '10.0.0.5', prefixLength: 24, state: 'preferred' }] },
      },
    ]);
  });

  it('decodes host vmknics with their IPv4 and IPv6 addresses', () => {
    const vnic =
      '<HostVirtualNic><device>vmk0</device><spec><ip><dhcp>false</dhcp><ipAddress>192.168.1.10</ipAddress>' +
      '<subnetMask>255.255.255.0</subnetMask>' +
      '<ipV6Config><ipV6Address><ipAddress>fe80::1</ipAddress><prefixLength>64</prefixLength></ipV6Address></ipV6Config></ip>' +
      '<mac>00:0c:29:81:d8:a0</mac><mtu>1500</mtu></spec></HostVirtualNic>';
    expect(decodeValue(val(vnic, 'ArrayOfHostVirtualNic'))).toEqual([
      {
        device: 'vmk0',
        spec: {
          ip: {
            dhcp: false,
            ipAddress: '192.168.1.10',
            subnetMask: '255.255.255.0',
            ipV6Config: { ipV6Address: [{ ipAddress: 'fe80::1', prefixLength: 64 }] },
          },
          mac: '00:0c:29:81:d8:a0',
          mtu: 1500,
        },
      },
    ]);
  });

  it('keeps the xsi:type of polymorphic items and uses the base type hints for subtypes', () => {
    const devices =
      '<VirtualDevice xsi:type="VirtualDisk"><key>2000</key><backing xsi:type="VirtualDiskFlatVer2BackingInfo">' +
      '<fileName>[ds1] a.vmdk</fileName>' +
      '<datastore type="Datastore">ds-1</datastore><thinProvisioned>true</thinProvisioned></backing><controllerKey>1000</controllerKey>' +
      '<unitNumber>0</unitNumber><capacityInKB>1024</capacityInKB></VirtualDevice>' +
      '<VirtualDevice xsi:type="VirtualVmxnet3"><key>4000</key><macAddress>00:50:56:00:00:01</macAddress>' +
      '<wakeOnLanEnabled>true</wakeOnLanEnabled></VirtualDevice>';
    expect(decodeValue(val(devices, 'ArrayOfVirtualDevice'))).toEqual([
      {
        _type: 'VirtualDisk',
        key: 2000,
        backing: {
          _type: 'VirtualDiskFlatVer2BackingInfo',
          fileName: '[ds1] a.vmdk',
          datastore: { type: 'Datastore', value: 'ds-1' },
          thinProvisioned: true,
        },
        controllerKey: 1000,
        unitNumber: 0,
        capacityInKB: 1024,
      },
      { _type: 'VirtualVmxnet3', key: 4000, macAddress: '00:50:56:00:00:01', wakeOnLanEnabled: true },
    ]);
  });

  it('types what the evacuation plan reads: FT info with one instance UUID, HA admission policies', () => {
    const ft = '<role>2</role><instanceUuids>uuid-p</instanceUuids><configPaths>[ds] p.vmx</configPaths>';
    expect(decodeValue(val(ft, 'FaultToleranceSecondaryConfigInfo'))).toEqual({
      _type: 'FaultToleranceSecondaryConfigInfo',
      role: 2,
      instanceUuids: ['uuid-p'],
      configPaths: ['[ds] p.vmx'],
    });
    const das =
      '<enabled>true</enabled><admissionControlEnabled>true</admissionControlEnabled>' +
      '<admissionControlPolicy xsi:type="ClusterFailoverHostAdmissionControlPolicy">' +
      '<failoverHosts type="HostSystem">host-9</failoverHosts>' +
      '<failoverLevel>1</failoverLevel></admissionControlPolicy>';
    expect(decodeValue(val(das, 'ClusterDasConfigInfo'))).toEqual({
      _type: 'ClusterDasConfigInfo',
      enabled: true,
      admissionControlEnabled: true,
      admissionControlPolicy: {
        _type: 'ClusterFailoverHostAdmissionControlPolicy',
        failoverHosts: [{ type: 'HostSystem', value: 'host-9' }],
        failoverLevel: 1,
      },
    });
  });

  it('turns unknown complex types into plain objects: leaves as strings, repeated elements as lists', () => {
    expect(decodeValue(val('<a>1</a><b><c>x</c></b><d>1</d><d>2</d>', 'SomethingNew'))).toEqual({
      _type: 'SomethingNew',
      a: '1',
      b: { c: 'x' },
      d: ['1', '2'],
    });
  });

  it('decodes an empty data object as an object, and never lets data set a prototype', () => {
    expect(decodeValue(parseXml('<dasConfig></dasConfig>').children[0]!, 'ClusterDasConfigInfo')).toEqual({});
    const decoded = decodeValue(val('<__proto__><polluted>yes</polluted></__proto__><ok>1</ok>', 'X')) as Record<string, unknown>;
    expect(decoded).toEqual({ _type: 'X', ok: '1' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('request envelopes', () => {
  it('writes _this, arguments in order, references, repeated elements and escapes text', () => {
    const xml = requestEnvelope(
      'CreateContainerView',
      { type: 'ViewManager', value: 'ViewManager' },
      {
        container: { type: 'Folder', value: 'group-d1' },
        type: ['VirtualMachine', 'HostSystem'],
        recursive: true,
        note: 'a<b & "c"',
        skipped: undefined,
      },
    );
    expect(xml).toContain(
      '<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container>' +
        '<type>VirtualMachine</type><type>HostSystem</type><recursive>true</recursive>' +
        '<note>a&lt;b &amp; &quot;c&quot;</note></CreateContainerView>',
    );
    expect(parseXml(xml).children[0]!.name).toBe('Envelope'); // well-formed
  });

  it('encodes a filter spec in schema order with xsi:type on traversal specs, whatever order the caller used', () => {
    const xml = requestEnvelope(
      'RetrievePropertiesEx',
      { type: 'PropertyCollector', value: 'propertyCollector' },
      {
        specSet: [
          encodeFilterSpec({
            objectSet: [
              {
                selectSet: [{ path: 'view', type: 'ContainerView', name: 'v', skip: false }, { name: 'v' }],
                skip: true,
                obj: { type: 'ContainerView', value: 'session[1]2' },
              },
            ],
            propSet: [{ pathSet: ['name', 'runtime.host'], type: 'VirtualMachine' }],
          }),
        ],
        options: { maxObjects: 100 },
      },
    );
    expect(xml).toContain(
      '<specSet><propSet><type>VirtualMachine</type><all>false</all><pathSet>name</pathSet><pathSet>runtime.host</pathSet></propSet>' +
        '<objectSet><obj type="ContainerView">session[1]2</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>v</name>' +
        '<type>ContainerView</type><path>view</path><skip>false</skip></selectSet>' +
        '<selectSet><name>v</name></selectSet></objectSet></specSet>' +
        '<options><maxObjects>100</maxObjects></options>',
    );
  });

  it('writes _type as xsi:type and _value as text, so decoded values re-encode as they came', () => {
    const xml = requestEnvelope(
      'UpdateOptions',
      { type: 'OptionManager', value: 'VpxSettings' },
      {
        changedValue: [{ _type: 'OptionValue', key: 'config.x', value: { _type: 'xsd:string', _value: 'on' } }],
      },
    );
    expect(xml).toContain('<changedValue xsi:type="OptionValue"><key>config.x</key><value xsi:type="xsd:string">on</value></changedValue>');
  });
});

describe('responses and faults', () => {
  it.each([
    ['InvalidLogin', InvalidLoginFault, 'Cannot complete login due to an incorrect user name or password.'],
    ['NotAuthenticated', NotAuthenticatedFault, 'The session is not authenticated.'],
    ['InvalidCollectorVersion', InvalidCollectorVersionFault, 'The collector version is not valid'],
  ])('turns a %s SOAP fault into its typed error with the fault string', (type, ErrorClass, text) => {
    const body = envelope(
      `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${text}</faultstring>` +
        `<detail><${type}Fault xmlns="urn:vim25" xsi:type="${type}"></${type}Fault></detail></soapenv:Fault>`,
    );
    const err = caught(() => responseBody(body, 'Login'));
    expect(err).toBeInstanceOf(ErrorClass);
    expect(err).toMatchObject({ faultType: type, faultString: text, message: `${type}: ${text}` });
  });

  it('keeps the fault detail, e.g. the missing object of ManagedObjectNotFound', () => {
    const body = envelope(
      '<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>gone</faultstring>' +
        '<detail><ManagedObjectNotFoundFault xmlns="urn:vim25" xsi:type="ManagedObjectNotFound">' +
        '<obj type="ContainerView">session[a]b</obj></ManagedObjectNotFoundFault></detail></soapenv:Fault>',
    );
    const err = caught(() => responseBody(body, 'DestroyView'));
    expect(err).toBeInstanceOf(ManagedObjectNotFoundFault);
    expect((err as ManagedObjectNotFoundFault).obj).toEqual({ type: 'ContainerView', value: 'session[a]b' });
  });

  it('turns an unknown fault type into a VSphereFault naming it', () => {
    const body = envelope(
      '<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>busy</faultstring>' +
        '<detail><TooManyThingsFault xmlns="urn:vim25" xsi:type="TooManyThings"/></detail></soapenv:Fault>',
    );
    const err = caught(() => responseBody(body, 'X'));
    expect(err).toBeInstanceOf(VSphereFault);
    expect(err).toMatchObject({ faultType: 'TooManyThings', faultString: 'busy' });
  });

  it('returns undefined for an answer that is not SOAP, so the caller can report the HTTP status', () => {
    expect(responseBody('<html><body>502 Bad Gateway</body></html>', 'Login')).toBeUndefined();
    expect(responseBody('not xml at all <', 'Login')).toBeUndefined();
  });

  it('decodes a RetrieveResult page with token, properties and missing properties', () => {
    const rv = child(
      responseBody(
        envelope(
          '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><token>7</token><objects><obj type="VirtualMachine">vm-1</obj>' +
            '<propSet><name>name</name><val xsi:type="xsd:string">web-01</val></propSet>' +
            '<missingSet><path>guest.hostName</path><fault><fault xsi:type="NoPermission"><privilegeId>System.Read</privilegeId></fault>' +
            '<localizedMessage>denied</localizedMessage></fault></missingSet></objects></returnval></RetrievePropertiesExResponse>',
        ),
        'RetrievePropertiesEx',
      )!,
      'returnval',
    );
    expect(retrieveResult(rv)).toEqual({
      token: '7',
      objects: [
        {
          obj: { type: 'VirtualMachine', value: 'vm-1' },
          propSet: [{ name: 'name', val: 'web-01' }],
          missingSet: [
            { path: 'guest.hostName', fault: { type: 'NoPermission', message: 'denied', detail: { privilegeId: 'System.Read' } } },
          ],
        },
      ],
    });
    expect(() => throwIfSilentlyExpired(rv)).not.toThrow();
  });

  it('treats properties that came back NotAuthenticated as an expired session', () => {
    const rv = parseXml(
      `<returnval ${XSI}><objects><obj type="HostSystem">host-1</obj><missingSet><path>name</path>` +
        '<fault><fault xsi:type="NotAuthenticated"><object type="HostSystem">host-1</object>' +
        '<privilegeId>System.Read</privilegeId></fault></fault></missingSet></objects></returnval>',
    ).children[0]!;
    expect(() => throwIfSilentlyExpired(rv)).toThrow(NotAuthenticatedFault);
  });

  it('decodes an UpdateSet into plain changes, and keeps the version when the wait ended without changes', () => {
    const rv = parseXml(
      `<returnval ${XSI}><version>5</version><filterSet><filter type="PropertyFilter">session[a]f</filter><objectSet><kind>modify</kind>` +
        '<obj type="VirtualMachine">vm-9</obj><changeSet><name>runtime.powerState</name><op>assign</op>' +
        '<val xsi:type="VirtualMachinePowerState">poweredOff</val></changeSet>' +
        '<changeSet><name>config.annotation</name><op>remove</op></changeSet></objectSet>' +
        '<objectSet><kind>leave</kind><obj type="VirtualMachine">vm-3</obj></objectSet>' +
        '</filterSet><truncated>true</truncated></returnval>',
    ).children[0]!;
    expect(updateSet(rv, '4')).toEqual({
      version: '5',
      truncated: true,
      filterSet: [
        {
          filter: { type: 'PropertyFilter', value: 'session[a]f' },
          missingSet: [],
          objectSet: [
            {
              kind: 'modify',
              obj: { type: 'VirtualMachine', value: 'vm-9' },
              changeSet: [
                { name: 'runtime.powerState', op: 'assign', val: 'poweredOff' },
                { name: 'config.annotation', op: 'remove' },
              ],
              missingSet: [],
            },
            { kind: 'leave', obj: { type: 'VirtualMachine', value: 'vm-3' }, changeSet: [], missingSet: [] },
          ],
        },
      ],
    });
    expect(updateSet(undefined, '4')).toEqual({ version: '4', truncated: false, filterSet: [] });
  });
});

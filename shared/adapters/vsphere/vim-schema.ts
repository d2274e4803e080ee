/**
 * Field types of the vim25 data objects EIO reads, as far as the decoder needs them. XML carries an
 * xsi:type only where the schema is polymorphic, so a nested leaf such as GuestNicInfo.connected arrives
 * as bare text and a one-element list as a single element. These hints make such fields typed and arrays
 * stable; anything not listed still decodes (leaves as strings, repeated elements as arrays), so add a line
 * here when a new property is used rather than parsing strings at the call site.
 *
 * Notation: a primitive (string, int, long, short, byte, boolean, double, float, dateTime), a data object
 * type name, or ManagedObjectReference; a trailing [] marks a list.
 */
export const VIM_FIELDS: Record<string, Record<string, string>> = {
  // Faults (missingSet entries, fault details)
  LocalizedMethodFault: { fault: 'MethodFault', localizedMessage: 'string' },
  MethodFault: { faultCause: 'LocalizedMethodFault', faultMessage: 'LocalizableMessage[]' },
  ManagedObjectNotFound: { obj: 'ManagedObjectReference' },
  NoPermission: { object: 'ManagedObjectReference' },

  // Tasks
  TaskInfo: {
    task: 'ManagedObjectReference',
    entity: 'ManagedObjectReference',
    cancelled: 'boolean',
    cancelable: 'boolean',
    error: 'LocalizedMethodFault',
    progress: 'int',
    queueTime: 'dateTime',
    startTime: 'dateTime',
    completeTime: 'dateTime',
    eventChainId: 'int',
  },

  // Sessions
  UserSession: { loginTime: 'dateTime', lastActiveTime: 'dateTime', extensionSession: 'boolean', callCount: 'long' },

  // Virtual machines: guest networking
  GuestNicInfo: { connected: 'boolean', deviceConfigId: 'int', ipAddress: 'string[]', ipConfig: 'NetIpConfigInfo' },
  NetIpConfigInfo: { ipAddress: 'NetIpConfigInfoIpAddress[]', autoConfigurationEnabled: 'boolean' },
  NetIpConfigInfoIpAddress: { prefixLength: 'int', lifetime: 'dateTime' },
  GuestInfo: { net: 'GuestNicInfo[]', interactiveGuestOperationsReady: 'boolean', guestOperationsReady: 'boolean' },
  VirtualMachineRuntimeInfo: {
    host: 'ManagedObjectReference',
    bootTime: 'dateTime',
    maxCpuUsage: 'int',
    maxMemoryUsage: 'int',
    consolidationNeeded: 'boolean',
    suspendInterval: 'long',
  },
  FaultToleranceConfigInfo: { role: 'int', instanceUuids: 'string[]', configPaths: 'string[]', orphaned: 'boolean' },

  // Virtual machines: devices (what vMotion planning looks at)
  VirtualDevice: {
    key: 'int',
    deviceInfo: 'Description',
    backing: 'VirtualDeviceBackingInfo',
    connectable: 'VirtualDeviceConnectInfo',
    controllerKey: 'int',
    unitNumber: 'int',
  },
  VirtualDeviceConnectInfo: { startConnected: 'boolean', allowGuestControl: 'boolean', connected: 'boolean' },
  VirtualController: { busNumber: 'int', device: 'int[]' },
  VirtualSCSIController: { hotAddRemove: 'boolean', scsiCtlrUnitNumber: 'int' },
  VirtualDisk: { capacityInKB: 'long', capacityInBytes: 'long', shares: 'SharesInfo' },
  VirtualEthernetCard: { wakeOnLanEnabled: 'boolean', uptCompatibilityEnabled: 'boolean' },
  VirtualDeviceFileBackingInfo: { datastore: 'ManagedObjectReference' },
  VirtualDiskFlatVer2BackingInfo: {
    split: 'boolean',
    writeThrough: 'boolean',
    thinProvisioned: 'boolean',
    eagerlyScrub: 'boolean',
    digestEnabled: 'boolean',
  },
  VirtualDeviceDeviceBackingInfo: { useAutoDetect: 'boolean' },
  VirtualEthernetCardNetworkBackingInfo: { network: 'ManagedObjectReference', inPassthroughMode: 'boolean' },
  VirtualPCIPassthrough: {},
  VirtualUSB: { connected: 'boolean', speed: 'string[]', vendor: 'int', product: 'int' },
  VirtualDevicePciBusSlotInfo: { pciSlotNumber: 'int' },
  SharesInfo: { shares: 'int' },

  // Hosts
  HostVirtualNic: { spec: 'HostVirtualNicSpec' },
  HostVirtualNicSpec: { ip: 'HostIpConfig', mtu: 'int', tsoEnabled: 'boolean' },
  HostIpConfig: { dhcp: 'boolean', ipV6Config: 'HostIpConfigIpV6AddressConfiguration' },
  HostIpConfigIpV6AddressConfiguration: {
    ipV6Address: 'HostIpConfigIpV6Address[]',
    autoConfigurationEnabled: 'boolean',
    dhcpV6Enabled: 'boolean',
  },
  HostIpConfigIpV6Address: { prefixLength: 'int', lifetime: 'dateTime' },
  HostSystemInfo: { otherIdentifyingInfo: 'HostSystemIdentificationInfo[]', memorySize: 'long' },
  HostSystemIdentificationInfo: { identifierType: 'ElementDescription' },
  HostRuntimeInfo: { inMaintenanceMode: 'boolean', inQuarantineMode: 'boolean', bootTime: 'dateTime' },
  HostHardwareSummary: {
    memorySize: 'long',
    cpuMhz: 'int',
    numCpuPkgs: 'short',
    numCpuCores: 'short',
    numCpuThreads: 'short',
    numNics: 'int',
    numHBAs: 'int',
    otherIdentifyingInfo: 'HostSystemIdentificationInfo[]',
  },
  PhysicalNic: { linkSpeed: 'PhysicalNicLinkInfo', wakeOnLanSupported: 'boolean' },
  PhysicalNicLinkInfo: { speedMb: 'int', duplex: 'boolean' },

  // Clusters: DRS, HA, overrides, rules, groups
  ClusterConfigInfoEx: {
    dasConfig: 'ClusterDasConfigInfo',
    dasVmConfig: 'ClusterDasVmConfigInfo[]',
    drsConfig: 'ClusterDrsConfigInfo',
    drsVmConfig: 'ClusterDrsVmConfigInfo[]',
    rule: 'ClusterRuleInfo[]',
    group: 'ClusterGroupInfo[]',
    dpmConfigInfo: 'ClusterDpmConfigInfo',
  },
  ClusterDrsConfigInfo: { enabled: 'boolean', enableVmBehaviorOverrides: 'boolean', vmotionRate: 'int', scaleDescendantsShares: 'string' },
  ClusterDasConfigInfo: {
    enabled: 'boolean',
    failoverLevel: 'int',
    admissionControlEnabled: 'boolean',
    admissionControlPolicy: 'ClusterDasAdmissionControlPolicy',
    heartbeatDatastore: 'ManagedObjectReference[]',
  },
  ClusterDasAdmissionControlPolicy: { resourceReductionToToleratePercent: 'int', pMemAdmissionControlEnabled: 'boolean' },
  ClusterFailoverLevelAdmissionControlPolicy: { failoverLevel: 'int' },
  ClusterFailoverResourcesAdmissionControlPolicy: {
    cpuFailoverResourcesPercent: 'int',
    memoryFailoverResourcesPercent: 'int',
    failoverLevel: 'int',
    autoComputePercentages: 'boolean',
  },
  ClusterFailoverHostAdmissionControlPolicy: { failoverHosts: 'ManagedObjectReference[]', failoverLevel: 'int' },
  ClusterDrsVmConfigInfo: { key: 'ManagedObjectReference', enabled: 'boolean' },
  ClusterDasVmConfigInfo: { key: 'ManagedObjectReference' },
  ClusterDpmConfigInfo: { enabled: 'boolean', hostPowerActionRate: 'int' },
  ClusterRuleInfo: { key: 'int', enabled: 'boolean', mandatory: 'boolean', inCompliance: 'boolean', userCreated: 'boolean' },
  ClusterAffinityRuleSpec: { vm: 'ManagedObjectReference[]' },
  ClusterAntiAffinityRuleSpec: { vm: 'ManagedObjectReference[]' },
  ClusterVmHostRuleInfo: {},
  ClusterVmGroup: { vm: 'ManagedObjectReference[]' },
  ClusterHostGroup: { host: 'ManagedObjectReference[]' },

  // Datastores
  DatastoreSummary: {
    datastore: 'ManagedObjectReference',
    capacity: 'long',
    freeSpace: 'long',
    uncommitted: 'long',
    accessible: 'boolean',
    multipleHostAccess: 'boolean',
  },
  DatastoreHostMount: { key: 'ManagedObjectReference', mountInfo: 'HostMountInfo' },
  HostMountInfo: { accessible: 'boolean', mounted: 'boolean', vmknicActive: 'boolean' },

  // Service content
  ServiceContent: {},
  AboutInfo: {},
};

/** Supertypes, so a subtype inherits its base's hints (VirtualDisk is a VirtualDevice, ...). */
export const VIM_BASE: Record<string, string> = {
  NotAuthenticated: 'NoPermission',
  VirtualController: 'VirtualDevice',
  VirtualIDEController: 'VirtualController',
  VirtualPCIController: 'VirtualController',
  VirtualPS2Controller: 'VirtualController',
  VirtualSIOController: 'VirtualController',
  VirtualSCSIController: 'VirtualController',
  ParaVirtualSCSIController: 'VirtualSCSIController',
  VirtualLsiLogicController: 'VirtualSCSIController',
  VirtualLsiLogicSASController: 'VirtualSCSIController',
  VirtualBusLogicController: 'VirtualSCSIController',
  VirtualSATAController: 'VirtualController',
  VirtualAHCIController: 'VirtualSATAController',
  VirtualNVMEController: 'VirtualController',
  VirtualUSBController: 'VirtualController',
  VirtualUSBXHCIController: 'VirtualController',
  VirtualDisk: 'VirtualDevice',
  VirtualCdrom: 'VirtualDevice',
  VirtualFloppy: 'VirtualDevice',
  VirtualKeyboard: 'VirtualDevice',
  VirtualPointingDevice: 'VirtualDevice',
  VirtualMachineVideoCard: 'VirtualDevice',
  VirtualMachineVMCIDevice: 'VirtualDevice',
  VirtualPCIPassthrough: 'VirtualDevice',
  VirtualSerialPort: 'VirtualDevice',
  VirtualUSB: 'VirtualDevice',
  VirtualEthernetCard: 'VirtualDevice',
  VirtualE1000: 'VirtualEthernetCard',
  VirtualE1000e: 'VirtualEthernetCard',
  VirtualVmxnet: 'VirtualEthernetCard',
  VirtualVmxnet2: 'VirtualVmxnet',
  VirtualVmxnet3: 'VirtualVmxnet',
  VirtualVmxnet3Vrdma: 'VirtualVmxnet3',
  VirtualPCNet32: 'VirtualEthernetCard',
  VirtualSriovEthernetCard: 'VirtualEthernetCard',
  VirtualDeviceFileBackingInfo: 'VirtualDeviceBackingInfo',
  VirtualDiskFlatVer2BackingInfo: 'VirtualDeviceFileBackingInfo',
  VirtualDiskSparseVer2BackingInfo: 'VirtualDeviceFileBackingInfo',
  VirtualDiskRawDiskMappingVer1BackingInfo: 'VirtualDeviceFileBackingInfo',
  VirtualCdromIsoBackingInfo: 'VirtualDeviceFileBackingInfo',
  VirtualDeviceDeviceBackingInfo: 'VirtualDeviceBackingInfo',
  VirtualCdromAtapiBackingInfo: 'VirtualDeviceDeviceBackingInfo',
  VirtualEthernetCardNetworkBackingInfo: 'VirtualDeviceDeviceBackingInfo',
  VirtualPointingDeviceDeviceBackingInfo: 'VirtualDeviceDeviceBackingInfo',
  VirtualPCIPassthroughDeviceBackingInfo: 'VirtualDeviceDeviceBackingInfo',
  ClusterAffinityRuleSpec: 'ClusterRuleInfo',
  ClusterAntiAffinityRuleSpec: 'ClusterRuleInfo',
  ClusterVmHostRuleInfo: 'ClusterRuleInfo',
  ClusterDependencyRuleInfo: 'ClusterRuleInfo',
  ClusterVmGroup: 'ClusterGroupInfo',
  ClusterHostGroup: 'ClusterGroupInfo',
  FaultTolerancePrimaryConfigInfo: 'FaultToleranceConfigInfo',
  FaultToleranceSecondaryConfigInfo: 'FaultToleranceConfigInfo',
  ClusterFailoverLevelAdmissionControlPolicy: 'ClusterDasAdmissionControlPolicy',
  ClusterFailoverResourcesAdmissionControlPolicy: 'ClusterDasAdmissionControlPolicy',
  ClusterFailoverHostAdmissionControlPolicy: 'ClusterDasAdmissionControlPolicy',
  VirtualParallelPort: 'VirtualDevice',
};

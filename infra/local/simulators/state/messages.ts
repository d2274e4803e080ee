import { fixture } from '../fixtures/load';

interface RegistryMessage {
  Message: string;
  Resolution?: string;
  Severity?: string;
  NumberOfArgs?: number;
}
interface Registry {
  prefix: string;
  version: string;
  messages: Record<string, RegistryMessage>;
}
interface Registries {
  idrac: Registry;
  base: Registry;
}

export interface ResolvedMessage {
  /** Full id as an iDRAC prints it in ExtendedInfo, e.g. `IDRAC.2.7.SYS415` or `Base.1.12.AccessDenied`. */
  messageId: string;
  /** Bare key, e.g. `SYS415`: what Dell jobs carry in their own MessageId. */
  key: string;
  message: string;
  resolution: string;
  severity: string;
  args: string[];
}

function registries(): Registries {
  return fixture<Registries>('redfish/messages.json');
}

/**
 * A message from the subset of the iDRAC (EEMI 2.7) and DMTF Base 1.12 registries that the capture carried
 * and the simulator uses. Keys without a registry prefix are looked up in the iDRAC registry first.
 */
export function registryMessage(key: string, args: string[] = []): ResolvedMessage {
  const { idrac, base } = registries();
  const [registry, bare] = key.startsWith('Base.') ? [base, key.slice(5)] : idrac.messages[key] ? [idrac, key] : [base, key];
  const entry = registry.messages[bare];
  if (!entry) throw new Error(`message ${key} is not in the simulator's registry subset`);
  const [major = '1', minor = '0'] = registry.version.split('.');
  const message = entry.Message.replace(/%(\d+)/g, (_, n: string) => args[Number(n) - 1] ?? '');
  return {
    messageId: `${registry.prefix}.${major}.${minor}.${bare}`,
    key: bare,
    message,
    resolution: entry.Resolution ?? 'None.',
    severity: entry.Severity ?? 'Informational',
    args,
  };
}

import { fixture } from '../fixtures/load';

/** One updatable device, as derived from the capture's FirmwareInventory (see fixtures/hardware). */
export interface ComponentSpec {
  fqdd: string;
  softwareId: string;
  name: string;
  componentType: string;
  classifications: string[];
  identityType: string;
  releaseDate: string;
  impactsTpm: boolean;
  /** Tail of the Dell inventory id, e.g. `741__BIOS.Setup.1-1`; `_0x23_` is Redfish's escape for `#`. */
  dellInventorySuffix: string;
  hasCurrent: boolean;
  version: string;
  installationDate: string;
  previousVersion?: string;
  needsReboot: boolean;
  dupKeywords: string[];
  /** Updated by the same package as another component (the LC with the iDRAC). */
  updatedWith?: string;
}

export type EntryKind = 'Installed' | 'Current' | 'Previous' | 'Available';

export interface InventoryEntry {
  id: string;
  kind: EntryKind;
  version: string;
  component: ComponentSpec;
}

export function componentCatalog(): ComponentSpec[] {
  return fixture<ComponentSpec[]>('hardware/firmware-components.json');
}

export function entryId(kind: EntryKind, component: ComponentSpec, version: string): string {
  return `${kind}-${component.softwareId}-${version}__${component.fqdd}`;
}

/**
 * The iDRAC's firmware inventory. Ids embed the version, so an update retires the old `Installed-…` id
 * and the replaced version moves to `Previous-…` — exactly what a client polling by id must cope with.
 */
export class FirmwareInventory {
  private readonly components: ComponentSpec[];
  private readonly available = new Map<string, InventoryEntry>();
  private revision = 1;

  constructor(components: ComponentSpec[]) {
    this.components = components.map((c) => ({ ...c }));
  }

  list(): ComponentSpec[] {
    return this.components;
  }

  component(fqdd: string): ComponentSpec | undefined {
    return this.components.find((c) => c.fqdd === fqdd);
  }

  /** Entries in id order, rebuilt only when the inventory changed (an `$expand` reads every member by id). */
  private snapshot?: { revision: number; entries: InventoryEntry[]; byId: Map<string, InventoryEntry> };

  entries(): InventoryEntry[] {
    return [...this.current().entries];
  }

  find(id: string): InventoryEntry | undefined {
    return this.current().byId.get(id);
  }

  private current(): { entries: InventoryEntry[]; byId: Map<string, InventoryEntry> } {
    if (this.snapshot?.revision !== this.revision) {
      const entries = this.build();
      this.snapshot = { revision: this.revision, entries, byId: new Map(entries.map((e) => [e.id, e])) };
    }
    return this.snapshot;
  }

  private build(): InventoryEntry[] {
    const out: InventoryEntry[] = [];
    for (const component of this.components) {
      const add = (kind: EntryKind, version: string) => out.push({ id: entryId(kind, component, version), kind, version, component });
      add('Installed', component.version);
      if (component.hasCurrent) add('Current', component.version);
      if (component.previousVersion) add('Previous', component.previousVersion);
    }
    out.push(...this.available.values());
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  etag(): string {
    return `"${this.revision.toString(16).padStart(8, '0')}"`;
  }

  addAvailable(fqdd: string, version: string): InventoryEntry {
    const component = this.component(fqdd);
    if (!component) throw new Error(`no component ${fqdd}`);
    const entry: InventoryEntry = { id: entryId('Available', component, version), kind: 'Available', version, component };
    this.available.set(entry.id, entry);
    this.revision++;
    return entry;
  }

  install(fqdd: string, version: string, at: Date): void {
    const component = this.component(fqdd);
    if (!component) return;
    if (component.version !== version) component.previousVersion = component.version;
    component.version = version;
    component.installationDate = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const [id, entry] of this.available) if (entry.component.fqdd === fqdd) this.available.delete(id);
    this.revision++;
  }
}

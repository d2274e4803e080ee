/**
 * A Dell catalog (Catalog.xml as Dell publishes it, or as Dell Repository Manager exports it for a
 * repository) read into baseline components: each `SoftwareComponent` gives its version (`vendorVersion`),
 * package (`path`, under the manifest's `baseLocation` or the repository given), type (`ComponentType`),
 * the devices it updates (`SupportedDevices/Device@componentID`) and the server models it is for
 * (`SupportedSystems/Brand/Model/Display`). Devices named only by PCI ids cannot be matched with an iDRAC
 * inventory and are counted as skipped.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ValidationError } from './errors';
import { type BaselineComponent, type BaselineSource, sameModel } from './firmware-baseline';

export type CatalogRead = {
  components: BaselineComponent[];
  source: Extract<BaselineSource, { kind: 'catalog' }>;
  skipped: { pci_only: number; other_models: number };
};

type Node = Record<string, unknown>;
const ARRAYS = new Set(['SoftwareComponent', 'Device', 'Brand', 'Model', 'Display']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  processEntities: false,
  isArray: (name) => ARRAYS.has(name),
});

const list = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : v && typeof v === 'object' ? [v as Node] : []);
const text = (v: unknown): string | undefined => {
  const first = Array.isArray(v) ? v[0] : v;
  const t = first && typeof first === 'object' ? (first as Node)['#text'] : first;
  return t === undefined || t === null ? undefined : String(t).trim() || undefined;
};
/** The English `Display` of a node (catalogs carry one per language). */
const display = (n: Node | undefined): string | undefined => {
  const all = list(n?.Display);
  return text(all.find((d) => d['@lang'] === 'en') ?? all[0]);
};
const invalid = (message: string) => new ValidationError(message, [{ path: 'body', message }]);

/**
 * The catalog's components for `models` (all when empty), with image URIs under `repositoryUri` or the
 * catalog's base location. 400 for something that is not a Dell catalog or holds nothing for the models.
 */
export function readDellCatalog(xml: string, options: { models?: string[]; repositoryUri?: string } = {}): CatalogRead {
  if (XMLValidator.validate(xml) !== true) throw invalid('the body is not well-formed XML: send Catalog.xml as Dell publishes it');
  const manifest = (parser.parse(xml) as Node).Manifest as Node | undefined;
  if (!manifest) throw invalid('the body is not a Dell catalog: its root element is not <Manifest>');
  const base = repositoryBase(manifest, options.repositoryUri);
  const wanted = options.models ?? [];
  const skipped = { pci_only: 0, other_models: 0 };
  const seen = new Set<string>();
  const components: BaselineComponent[] = [];
  for (const sc of list(manifest.SoftwareComponent)) {
    const version = sc['@vendorVersion'] as string | undefined;
    if (!version) continue;
    const models = list(sc.SupportedSystems)
      .flatMap((s) => list(s.Brand))
      .flatMap((b) => list(b.Model))
      .map((m) => display(m))
      .filter((m): m is string => !!m);
    const kept = wanted.length ? models.filter((m) => wanted.some((w) => sameModel(w, m))) : models;
    if (wanted.length && models.length && !kept.length) {
      skipped.other_models++;
      continue;
    }
    const path = sc['@path'] as string | undefined;
    const devices = list(sc.SupportedDevices).flatMap((d) => list(d.Device));
    const ids = devices.map((d) => d['@componentID'] as string | undefined).filter((id): id is string => !!id && /^\d+$/.test(String(id)));
    if (!ids.length) {
      skipped.pci_only++;
      continue;
    }
    const type = (sc.ComponentType as Node | undefined)?.['@value'] as string | undefined;
    for (const componentId of ids) {
      const key = `${componentId}|${version}|${kept.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      components.push({
        name: display(devices.find((d) => d['@componentID'] === componentId)) ?? display(sc.Name as Node) ?? `component ${componentId}`,
        component_id: componentId,
        version: String(version),
        ...(path && base ? { image_uri: `${base}/${path.replace(/^\/+/, '')}` } : {}),
        ...(kept.length ? { models: kept } : {}),
        ...(type ? { component_type: type } : {}),
      });
    }
  }
  if (!components.length)
    throw invalid(
      wanted.length
        ? `the catalog has no component for ${wanted.join(', ')} that an iDRAC inventory can be matched with`
        : 'the catalog has no component that an iDRAC inventory can be matched with',
    );
  return {
    components,
    skipped,
    source: {
      kind: 'catalog',
      ...(manifest['@version'] ? { catalog_version: String(manifest['@version']) } : {}),
      ...(manifest['@releaseID'] ? { release_id: String(manifest['@releaseID']) } : {}),
      ...(manifest['@dateTime'] ? { catalog_date: String(manifest['@dateTime']) } : {}),
    },
  };
}

/** `https://downloads.dell.com` from `baseLocation="downloads.dell.com" baseLocationAccessProtocols="HTTPS"`. */
function repositoryBase(manifest: Node, repositoryUri?: string): string | undefined {
  if (repositoryUri) return repositoryUri.replace(/\/+$/, '');
  const location = manifest['@baseLocation'] as string | undefined;
  if (!location) return undefined;
  if (/^[a-z]+:\/\//i.test(location)) return location.replace(/\/+$/, '');
  const protocols = String(manifest['@baseLocationAccessProtocols'] ?? 'HTTPS').toUpperCase();
  return `${protocols.includes('HTTPS') ? 'https' : 'http'}://${location.replace(/\/+$/, '')}`;
}

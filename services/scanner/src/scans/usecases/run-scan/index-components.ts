import { PackageURL } from 'packageurl-js';
import type { ScannedComponent } from '@stella/scan';
import type { IndexedComponent } from '../../scans.repository';

/**
 * The component index rows of a scan: one per component with a purl, keyed by the purl's
 * (type, namespace, name) as packageurl-js normalises them, so a query purl written any valid
 * way finds them. Components without a version or purl cannot be matched and are left out.
 */
export function indexRows(components: readonly ScannedComponent[]): IndexedComponent[] {
  const rows: IndexedComponent[] = [];
  for (const component of components) {
    if (!component.purl) continue;
    let purl: PackageURL;
    try {
      purl = PackageURL.fromString(component.purl);
    } catch {
      continue;
    }
    const version = purl.version ?? component.version;
    if (!version) continue;
    rows.push({
      purlType: purl.type,
      namespace: purl.namespace ?? '',
      name: purl.name,
      version,
      layerDigest: component.location.layerDigest,
      path: component.location.path,
      purl: component.purl,
    });
  }
  return rows;
}

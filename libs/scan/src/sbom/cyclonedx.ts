import type * as CycloneDxLibrary from '@cyclonedx/cyclonedx-library';
import { canonicalBytes } from '@stella/canonical';
import type { ScannedComponent, ScanResult } from '../model';
import {
  SCANNER_NAME,
  SCANNER_VERSION,
  deterministicUuid,
  imageIdentity,
  imagePurl,
  sbomTimestamp,
} from './identity';

export interface SbomOptions {
  /** List the files each OS package owns (CycloneDX: nested `file` components; SPDX: `contains` File elements). Default false. */
  includeFiles?: boolean;
}

// Loaded on first use: scans that only write SPDX never pay for it.
let library: typeof CycloneDxLibrary | undefined;
let normalizer: CycloneDxLibrary.Serialize.JSON.Normalize.BomNormalizer | undefined;
function cyclonedx(): {
  Enums: typeof CycloneDxLibrary.Enums;
  Models: typeof CycloneDxLibrary.Models;
  normalizer: CycloneDxLibrary.Serialize.JSON.Normalize.BomNormalizer;
} {
  // The subpath modules only (~50 ms): the package index also loads the validators (ajv, ~100 ms more).
  library ??= {
    Enums: require('@cyclonedx/cyclonedx-library/Enums') as typeof CycloneDxLibrary.Enums,
    Models: require('@cyclonedx/cyclonedx-library/Models') as typeof CycloneDxLibrary.Models,
    Serialize: require('@cyclonedx/cyclonedx-library/Serialize') as typeof CycloneDxLibrary.Serialize,
    Spec: require('@cyclonedx/cyclonedx-library/Spec') as typeof CycloneDxLibrary.Spec,
  } as typeof CycloneDxLibrary;
  // The library's JSON normalizer gives the document as an object, which is canonicalized
  // directly: no JSON text to write and parse again. Every bom-ref is set (and unique) here,
  // so the serializer's bom-ref discriminator has nothing to do.
  normalizer ??= new library.Serialize.JSON.Normalize.Factory(library.Spec.Spec1dot6).makeForBom();
  return { Enums: library.Enums, Models: library.Models, normalizer };
}

/**
 * CycloneDX 1.6 JSON of a scan, as RFC 8785 canonical bytes: the serial number derives from the
 * image, the timestamp from the image config, lists are sorted, so the same image always gives
 * the same bytes.
 */
export function toCycloneDx(result: ScanResult, options: SbomOptions = {}): Buffer {
  const { Enums, Models, normalizer } = cyclonedx();
  const identity = imageIdentity(result);
  const image = new Models.Component(
    Enums.ComponentType.Container,
    result.image.name ?? result.image.configDigest,
    {
      bomRef: `image:${result.image.configDigest}`,
      version: result.image.manifestDigest ?? result.image.configDigest,
    },
  );
  const purl = imagePurl(result);
  if (purl) image.purl = purl;
  const imageProperties: [string, string | undefined][] = [
    ['stella:image:configDigest', result.image.configDigest],
    ['stella:image:manifestDigest', result.image.manifestDigest],
    ['stella:image:indexDigest', result.image.indexDigest],
    [
      'stella:image:platform',
      [result.image.platform.os, result.image.platform.architecture, result.image.platform.variant]
        .filter(Boolean)
        .join('/'),
    ],
    ...result.image.layers.map((l, i): [string, string] => [
      `stella:image:layer:${String(i).padStart(3, '0')}`,
      `${l.diffId} ${l.digest}`,
    ]),
  ];
  for (const [name, value] of imageProperties)
    if (value) image.properties.add(new Models.Property(name, value));

  const tool = new Models.Component(Enums.ComponentType.Application, SCANNER_NAME, {
    group: 'stella-ops',
    version: SCANNER_VERSION,
  });
  const bom = new Models.Bom({
    serialNumber: `urn:uuid:${deterministicUuid('cyclonedx', identity)}`,
    metadata: new Models.Metadata({
      timestamp: sbomTimestamp(result),
      component: image,
      tools: new Models.Tools({ components: new Models.ComponentRepository([tool]) }),
    }),
  });

  if (result.image.os) {
    const os = new Models.Component(Enums.ComponentType.OperatingSystem, result.image.os.id, {
      bomRef: `os:${result.image.os.id}`,
      ...(result.image.os.versionId ? { version: result.image.os.versionId } : {}),
      ...(result.image.os.prettyName ? { description: result.image.os.prettyName } : {}),
    });
    bom.components.add(os);
    image.dependencies.add(os.bomRef);
  }

  const byId = new Map<string, CycloneDxLibrary.Models.Component>();
  for (const component of result.components) {
    const model = toModel(component);
    byId.set(component.id, model);
    bom.components.add(model);
  }
  const contained = new Set<string>();
  const ownedFiles = new Map<string, string[]>();
  for (const relationship of result.relationships) {
    const from = byId.get(relationship.from);
    if (!from) continue;
    if (relationship.type === 'owns-file') {
      const list = ownedFiles.get(relationship.from);
      if (list) list.push(relationship.to);
      else ownedFiles.set(relationship.from, [relationship.to]);
      continue;
    }
    const to = byId.get(relationship.to);
    if (!to) continue;
    from.dependencies.add(to.bomRef);
    if (relationship.type === 'contains') contained.add(relationship.to);
  }
  for (const component of result.components)
    if (!contained.has(component.id)) image.dependencies.add(byId.get(component.id)!.bomRef);
  if (options.includeFiles) {
    for (const [owner, files] of ownedFiles) {
      const model = byId.get(owner)!;
      for (const file of files)
        model.components.add(
          new Models.Component(Enums.ComponentType.File, file, { bomRef: `${owner}:file:${file}` }),
        );
    }
  }
  return canonicalBytes(normalizer.normalize(bom, { sortLists: true }));
}

function toModel(component: ScannedComponent): CycloneDxLibrary.Models.Component {
  const { Enums, Models } = cyclonedx();
  const type =
    component.kind === 'application' ? Enums.ComponentType.Application : Enums.ComponentType.Library;
  const model = new Models.Component(type, component.name, {
    bomRef: component.id,
    ...(component.version ? { version: component.version } : {}),
    ...(component.namespace ? { group: component.namespace } : {}),
    ...(component.purl ? { purl: component.purl } : {}),
  });
  if (component.license) {
    model.licenses.add(
      /^[A-Za-z0-9.+-]+$/.test(component.license) && !component.license.startsWith('LicenseRef-')
        ? new Models.SpdxLicense(component.license)
        : new Models.LicenseExpression(component.license),
    );
  } else if (component.licenseDeclared) {
    model.licenses.add(new Models.NamedLicense(component.licenseDeclared));
  }
  model.properties.add(new Models.Property('stella:layer:diffId', component.location.layerDigest));
  model.properties.add(new Models.Property('stella:path', component.location.path));
  if (component.ecosystem) model.properties.add(new Models.Property('stella:ecosystem', component.ecosystem));
  for (const [key, value] of Object.entries(component.properties))
    model.properties.add(new Models.Property(`stella:${key}`, value));
  return model;
}

import { createHash } from 'node:crypto';
import { canonicalBytes } from '@stella/canonical';
import type { ScanResult } from '../model';
import type { SbomOptions } from './cyclonedx';
import {
  SCANNER_NAME,
  SCANNER_VERSION,
  deterministicUuid,
  imageIdentity,
  imagePurl,
  sbomTimestamp,
} from './identity';

const CONTEXT = 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld';
const CREATION_INFO = '_:creationinfo';

type GraphNode = Record<string, unknown>;

/**
 * SPDX 3.0.1 JSON-LD of a scan, as RFC 8785 canonical bytes. Element ids are IRIs under a
 * namespace derived from the image (`urn:stella:spdx:<uuid>:`), the creation time is the image
 * config's `created`: the same image always gives the same bytes.
 */
export function toSpdx3(result: ScanResult, options: SbomOptions = {}): Buffer {
  const namespace = `urn:stella:spdx:${deterministicUuid('spdx', imageIdentity(result))}:`;
  const id = (local: string) => `${namespace}${local}`;
  const hashed = (kind: string, value: string) =>
    id(`${kind}-${createHash('sha256').update(value).digest('hex').slice(0, 24)}`);
  const created = sbomTimestamp(result)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');

  const agent = id('agent-stella-ops');
  const tool = id('tool-stella-scan');
  const head: GraphNode[] = [
    {
      type: 'CreationInfo',
      '@id': CREATION_INFO,
      specVersion: '3.0.1',
      created,
      createdBy: [agent],
      createdUsing: [tool],
    },
    { type: 'Organization', spdxId: agent, creationInfo: CREATION_INFO, name: 'Stella Ops' },
    { type: 'Tool', spdxId: tool, creationInfo: CREATION_INFO, name: `${SCANNER_NAME} ${SCANNER_VERSION}` },
  ];
  const elements: GraphNode[] = [];

  const imageId = id('image');
  const image: GraphNode = {
    type: 'software_Package',
    spdxId: imageId,
    creationInfo: CREATION_INFO,
    name: result.image.name ?? result.image.configDigest,
    software_packageVersion: result.image.manifestDigest ?? result.image.configDigest,
    software_primaryPurpose: 'container',
    verifiedUsing: [
      { type: 'Hash', algorithm: 'sha256', hashValue: result.image.configDigest.replace(/^sha256:/, '') },
    ],
  };
  const purl = imagePurl(result);
  if (purl) {
    image['software_packageUrl'] = purl;
    image['externalIdentifier'] = [
      { type: 'ExternalIdentifier', externalIdentifierType: 'packageUrl', identifier: purl },
    ];
  }
  elements.push(image);

  const contains = new Map<string, Set<string>>();
  const dependsOn = new Map<string, Set<string>>();
  const link = (map: Map<string, Set<string>>, from: string, to: string) => {
    const set = map.get(from);
    if (set) set.add(to);
    else map.set(from, new Set([to]));
  };

  if (result.image.os) {
    const osId = id('os');
    elements.push({
      type: 'software_Package',
      spdxId: osId,
      creationInfo: CREATION_INFO,
      name: result.image.os.id,
      ...(result.image.os.versionId ? { software_packageVersion: result.image.os.versionId } : {}),
      ...(result.image.os.prettyName ? { summary: result.image.os.prettyName } : {}),
      software_primaryPurpose: 'operatingSystem',
    });
    link(contains, imageId, osId);
  }

  const licenses = new Map<string, string>();
  const declaredLicense = new Map<string, Set<string>>();
  const componentIds = new Map<string, string>();
  for (const component of result.components) {
    const spdxId = id(`pkg-${component.id}`);
    componentIds.set(component.id, spdxId);
    const node: GraphNode = {
      type: 'software_Package',
      spdxId,
      creationInfo: CREATION_INFO,
      // Scoped names read as the ecosystem writes them (`@scope/name`, `group/artifact`, module paths).
      name:
        component.namespace && component.kind !== 'os-package'
          ? `${component.namespace}/${component.name}`
          : component.name,
      software_primaryPurpose:
        component.kind === 'application'
          ? 'application'
          : component.kind === 'os-package'
            ? 'install'
            : 'library',
      software_sourceInfo: `found at ${component.location.path} in layer ${component.location.layerDigest}`,
    };
    if (component.version) node['software_packageVersion'] = component.version;
    if (component.purl) {
      node['software_packageUrl'] = component.purl;
      node['externalIdentifier'] = [
        { type: 'ExternalIdentifier', externalIdentifierType: 'packageUrl', identifier: component.purl },
      ];
    }
    if (component.licenseDeclared) node['comment'] = `declared licence: ${component.licenseDeclared}`;
    elements.push(node);
    if (component.license) {
      let licenseId = licenses.get(component.license);
      if (!licenseId) {
        licenseId = hashed('license', component.license);
        licenses.set(component.license, licenseId);
        elements.push({
          type: 'simplelicensing_LicenseExpression',
          spdxId: licenseId,
          creationInfo: CREATION_INFO,
          simplelicensing_licenseExpression: component.license,
        });
      }
      link(declaredLicense, spdxId, licenseId);
    }
  }
  const contained = new Set<string>();
  const files = new Map<string, string>();
  for (const relationship of result.relationships) {
    const from = componentIds.get(relationship.from);
    if (!from) continue;
    if (relationship.type === 'owns-file') {
      if (!options.includeFiles) continue;
      let fileId = files.get(relationship.to);
      if (!fileId) {
        fileId = hashed('file', relationship.to);
        files.set(relationship.to, fileId);
        elements.push({
          type: 'software_File',
          spdxId: fileId,
          creationInfo: CREATION_INFO,
          name: relationship.to,
        });
      }
      link(contains, from, fileId);
      continue;
    }
    const to = componentIds.get(relationship.to);
    if (!to) continue;
    if (relationship.type === 'contains') {
      link(contains, from, to);
      contained.add(relationship.to);
    } else link(dependsOn, from, to);
  }
  for (const component of result.components)
    if (!contained.has(component.id)) link(contains, imageId, componentIds.get(component.id)!);

  const relationships: GraphNode[] = [];
  const addRelationships = (map: Map<string, Set<string>>, type: string) => {
    for (const [from, targets] of map) {
      const to = [...targets].sort();
      relationships.push({
        type: 'Relationship',
        spdxId: hashed(`rel-${type}`, `${from}\n${to.join('\n')}`),
        creationInfo: CREATION_INFO,
        from,
        relationshipType: type,
        to,
      });
    }
  };
  addRelationships(contains, 'contains');
  addRelationships(dependsOn, 'dependsOn');
  addRelationships(declaredLicense, 'hasDeclaredLicense');

  const body = [...elements, ...relationships].sort((a, b) =>
    String(a['spdxId']) < String(b['spdxId']) ? -1 : 1,
  );
  const allIds = body.map((n) => String(n['spdxId']));
  const sbomId = id('sbom');
  const documentId = id('document');
  const sbom: GraphNode = {
    type: 'software_Sbom',
    spdxId: sbomId,
    creationInfo: CREATION_INFO,
    name: `SBOM of ${result.image.name ?? result.image.configDigest}`,
    software_sbomType: ['analyzed'],
    rootElement: [imageId],
    element: allIds,
  };
  const document: GraphNode = {
    type: 'SpdxDocument',
    spdxId: documentId,
    creationInfo: CREATION_INFO,
    name: `${result.image.name ?? result.image.configDigest}`,
    profileConformance: ['core', 'software', 'simpleLicensing'],
    rootElement: [sbomId],
    element: [sbomId, ...allIds, agent, tool],
  };
  return canonicalBytes({ '@context': CONTEXT, '@graph': [...head, document, sbom, ...body] });
}

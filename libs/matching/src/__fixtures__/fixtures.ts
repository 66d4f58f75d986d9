// Small fixtures written by hand, faithfully, from the published formats: the NVD CVE API 2.0
// response schema, CISA's known_exploited_vulnerabilities.json, FIRST's EPSS CSV and the Debian
// Security Tracker's JSON export. ../shared/data has none of these files; the field names and
// shapes are copied from the formats' documentation. The values (scores, dates) are illustrative.
import { join } from 'node:path';

/** ../shared/data beside the repository (CI clones main with shared/ next to it). */
export const SHARED_DATA = join(__dirname, '..', '..', '..', '..', '..', 'shared', 'data');

export const NVD_RESPONSE = JSON.stringify({
  resultsPerPage: 2,
  startIndex: 0,
  totalResults: 2,
  format: 'NVD_CVE',
  version: '2.0',
  timestamp: '2024-01-10T12:00:00.000',
  vulnerabilities: [
    {
      cve: {
        id: 'CVE-2021-44228',
        sourceIdentifier: 'security@apache.org',
        published: '2021-12-10T10:15:09.143',
        lastModified: '2023-11-07T03:39:36.747',
        vulnStatus: 'Modified',
        descriptions: [
          {
            lang: 'en',
            value: 'Apache Log4j2 JNDI features do not protect against attacker controlled LDAP endpoints.',
          },
        ],
        metrics: {
          cvssMetricV31: [
            {
              source: 'nvd@nist.gov',
              type: 'Primary',
              cvssData: {
                version: '3.1',
                vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
                baseScore: 10.0,
                baseSeverity: 'CRITICAL',
              },
              exploitabilityScore: 3.9,
              impactScore: 6.0,
            },
          ],
          cvssMetricV2: [
            {
              source: 'nvd@nist.gov',
              type: 'Primary',
              cvssData: { version: '2.0', vectorString: 'AV:N/AC:M/Au:N/C:C/I:C/A:C', baseScore: 9.3 },
              baseSeverity: 'HIGH',
            },
          ],
        },
        weaknesses: [
          {
            source: 'security@apache.org',
            type: 'Primary',
            description: [
              { lang: 'en', value: 'CWE-502' },
              { lang: 'en', value: 'CWE-400' },
            ],
          },
          { source: 'nvd@nist.gov', type: 'Secondary', description: [{ lang: 'en', value: 'CWE-917' }] },
        ],
        configurations: [
          {
            nodes: [
              {
                operator: 'OR',
                negate: false,
                cpeMatch: [
                  {
                    vulnerable: true,
                    criteria: 'cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*',
                    versionStartIncluding: '2.0.1',
                    versionEndExcluding: '2.3.1',
                    matchCriteriaId: '03FA5E81-F9C0-403E-8A4B-E4284E4E7B72',
                  },
                ],
              },
            ],
          },
        ],
        references: [
          { url: 'https://logging.apache.org/log4j/2.x/security.html', source: 'security@apache.org' },
        ],
      },
    },
    {
      cve: {
        id: 'CVE-2020-8203',
        sourceIdentifier: 'support@hackerone.com',
        published: '2020-07-15T17:15:11.797',
        lastModified: '2024-01-21T02:37:28.003',
        vulnStatus: 'Analyzed',
        descriptions: [
          {
            lang: 'en',
            value: 'Prototype pollution attack when using _.zipObjectDeep in lodash before 4.17.20.',
          },
        ],
        metrics: {
          cvssMetricV31: [
            {
              source: 'nvd@nist.gov',
              type: 'Primary',
              cvssData: {
                version: '3.1',
                vectorString: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H',
                baseScore: 7.4,
              },
            },
          ],
        },
        weaknesses: [
          { source: 'nvd@nist.gov', type: 'Primary', description: [{ lang: 'en', value: 'CWE-770' }] },
        ],
        references: [],
      },
    },
  ],
});

export const KEV_CATALOGUE = JSON.stringify({
  title: 'CISA Catalog of Known Exploited Vulnerabilities',
  catalogVersion: '2024.01.10',
  dateReleased: '2024-01-10T17:00:47.3378Z',
  count: 2,
  vulnerabilities: [
    {
      cveID: 'CVE-2021-44228',
      vendorProject: 'Apache',
      product: 'Log4j2',
      vulnerabilityName: 'Apache Log4j2 Remote Code Execution Vulnerability',
      dateAdded: '2021-12-10',
      shortDescription:
        'Apache Log4j2 contains a vulnerability where JNDI features do not protect against attacker-controlled JNDI-related endpoints, allowing for remote code execution.',
      requiredAction:
        'For all affected software assets for which updates exist, the only acceptable remediation actions are: 1) Apply updates; OR 2) remove affected assets from agency networks.',
      dueDate: '2021-12-24',
      knownRansomwareCampaignUse: 'Known',
      notes: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
      cwes: ['CWE-20', 'CWE-400', 'CWE-502'],
    },
    {
      cveID: 'CVE-2023-5363',
      vendorProject: 'OpenSSL',
      product: 'OpenSSL',
      vulnerabilityName: 'OpenSSL key and IV length handling (fixture entry)',
      dateAdded: '2023-11-01',
      shortDescription: 'Fixture entry used to test the KEV flag on a distribution finding.',
      requiredAction:
        'Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.',
      dueDate: '2023-11-22',
      knownRansomwareCampaignUse: 'Unknown',
      notes: '',
      cwes: [],
    },
  ],
});

export const EPSS_CSV = [
  '#model_version:v2023.03.01,score_date:2024-01-10T00:00:00+0000',
  'cve,epss,percentile',
  'CVE-2021-44228,0.97565,0.99996',
  'CVE-2020-8203,0.01442,0.86303',
  'CVE-2023-5363,0.00165,0.53100',
  '',
].join('\n');

/** Debian Security Tracker JSON export shape: package -> CVE -> releases by codename. */
export const DEBIAN_TRACKER = JSON.stringify({
  openssl: {
    'CVE-2023-5363': {
      description:
        'Issue summary: A bug has been identified in the processing of key and initialisation vector (IV) lengths.',
      scope: 'remote',
      debianbug: 1054091,
      releases: {
        bookworm: {
          status: 'resolved',
          repositories: { bookworm: '3.0.11-1~deb12u2', 'bookworm-security': '3.0.11-1~deb12u2' },
          fixed_version: '3.0.11-1~deb12u2',
          urgency: 'not yet assigned',
        },
        bullseye: {
          status: 'resolved',
          repositories: { bullseye: '1.1.1w-0+deb11u1' },
          fixed_version: '0',
          urgency: 'not yet assigned',
        },
        sid: {
          status: 'resolved',
          repositories: { sid: '3.0.13-1' },
          fixed_version: '3.0.12-1',
          urgency: 'not yet assigned',
        },
      },
    },
    'CVE-2024-0727': {
      description: 'Processing a maliciously formatted PKCS12 file may lead OpenSSL to crash.',
      scope: 'local',
      releases: {
        bookworm: { status: 'open', repositories: { bookworm: '3.0.11-1~deb12u2' }, urgency: 'low' },
      },
    },
  },
  curl: {
    'CVE-2023-38545': {
      description: 'SOCKS5 heap buffer overflow.',
      scope: 'remote',
      releases: {
        bookworm: {
          status: 'resolved',
          repositories: { bookworm: '7.88.1-10+deb12u4' },
          fixed_version: '7.88.1-10+deb12u4',
          urgency: 'high',
        },
        bullseye: {
          status: 'resolved',
          repositories: { bullseye: '7.74.0-1.3+deb11u10' },
          fixed_version: '0',
          urgency: 'high',
        },
      },
    },
  },
});

import type { CvssScore, EnhancedImageScanFinding, VulnerablePackage } from '@aws-sdk/client-ecr'
import type { InspectedImage } from './glossary.js'
import { digestHex, vulnerabilitiesOf, type KnownVulnerability } from './scan-findings.js'

const DAY_MS = 24 * 60 * 60 * 1000

/** A vulnerability of a programming language package: enhanced scanning finds these, basic scanning does not. */
interface LanguagePackageVulnerability {
  cve: string
  packageManager: 'NPM' | 'PIP'
  packageName: string
  version: string
  fixedIn: string
  filePath: string
  severity: 'HIGH' | 'MEDIUM'
  cvss3: { vector: string; score: number }
  description: string
  published: string
}

const LANGUAGE_PACKAGES: readonly LanguagePackageVulnerability[] = [
  {
    cve: 'CVE-2022-25883',
    packageManager: 'NPM',
    packageName: 'semver',
    version: '7.3.8',
    fixedIn: '7.5.2',
    filePath: 'app/node_modules/semver/package.json',
    severity: 'HIGH',
    cvss3: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5 },
    description: 'Versions of the package semver before 7.5.2 are vulnerable to Regular Expression Denial of Service (ReDoS) via the function new Range.',
    published: '2023-06-21',
  },
  {
    cve: 'CVE-2023-32681',
    packageManager: 'PIP',
    packageName: 'requests',
    version: '2.28.1',
    fixedIn: '2.31.0',
    filePath: 'usr/local/lib/python3.11/site-packages/requests-2.28.1.dist-info/METADATA',
    severity: 'MEDIUM',
    cvss3: { vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N', score: 6.1 },
    description: 'Requests leaks Proxy-Authorization headers to destination servers when redirected to an HTTPS endpoint.',
    published: '2023-05-26',
  },
]

const FIXED = 'Update all packages in the vulnerable packages section to their latest versions.'
const NO_FIX = 'None Provided'

/**
 * The default findings source of enhanced scans: Amazon Inspector's view of the same Debian
 * vulnerabilities a basic scan reports for the image, plus language packages (which only
 * enhanced scanning sees). Deterministic from the digest and the scan's time: about a third of
 * them are disclosed only some days after the push, so continuous rescans find more than the
 * initial scan did.
 */
export function defaultEnhancedScanFindings(image: InspectedImage): EnhancedImageScanFinding[] {
  const hex = digestHex(image.imageDigest)
  const digit = (position: number) => parseInt(hex.charAt(position) || '0', 16)
  const daysSincePush = (image.scannedAt.getTime() - image.pushedAt.getTime()) / DAY_MS
  const disclosed = (index: number) => digit(20 + index) % 3 !== 0 || daysSincePush >= 1 + (digit(40 + index) % 10)
  const layers = layerDigests(image.manifest)
  return [
    ...vulnerabilitiesOf(image.imageDigest)
      .filter((_, index) => disclosed(index))
      .map((vulnerability) => osPackageFinding(vulnerability, layers[0])),
    ...LANGUAGE_PACKAGES.filter((_, index) => digit(10 + index) % 2 === 0 && disclosed(30 + index)).map((vulnerability) =>
      languagePackageFinding(vulnerability, layers.at(-1)),
    ),
  ]
}

function osPackageFinding(vulnerability: KnownVulnerability, sourceLayerHash: string | undefined): EnhancedImageScanFinding {
  const tracker = `https://security-tracker.debian.org/tracker/${vulnerability.cve}`
  const cvss2: CvssScore = { baseScore: Number(vulnerability.cvss2.score), scoringVector: vulnerability.cvss2.vector, source: 'NVD', version: '2.0' }
  const cvss3: CvssScore | undefined = vulnerability.cvss3 && {
    baseScore: vulnerability.cvss3.score,
    scoringVector: vulnerability.cvss3.vector,
    source: 'NVD',
    version: '3.1',
  }
  const vulnerablePackage: VulnerablePackage = {
    arch: 'AMD64',
    ...debianVersion(vulnerability.packageVersion),
    name: vulnerability.packageName,
    packageManager: 'OS',
    fixedInVersion: vulnerability.fixedIn ?? 'NotAvailable',
    ...(sourceLayerHash !== undefined && { sourceLayerHash }),
  }
  return finding({
    cve: vulnerability.cve,
    description: vulnerability.description,
    // Inspector calls a severity the source did not assign UNTRIAGED.
    severity: vulnerability.severity === 'UNDEFINED' ? 'UNTRIAGED' : vulnerability.severity,
    scores: cvss3 === undefined ? [cvss2] : [cvss3, cvss2],
    source: 'DEBIAN_CVE',
    sourceUrl: tracker,
    published: vulnerability.published,
    vulnerablePackage,
    fixed: vulnerability.fixedIn !== undefined,
    exploit: vulnerability.exploit === true,
  })
}

function languagePackageFinding(vulnerability: LanguagePackageVulnerability, sourceLayerHash: string | undefined): EnhancedImageScanFinding {
  return finding({
    cve: vulnerability.cve,
    description: vulnerability.description,
    severity: vulnerability.severity,
    scores: [{ baseScore: vulnerability.cvss3.score, scoringVector: vulnerability.cvss3.vector, source: 'NVD', version: '3.1' }],
    source: 'NVD',
    sourceUrl: `https://nvd.nist.gov/vuln/detail/${vulnerability.cve}`,
    published: vulnerability.published,
    vulnerablePackage: {
      epoch: 0,
      name: vulnerability.packageName,
      packageManager: vulnerability.packageManager,
      version: vulnerability.version,
      fixedInVersion: vulnerability.fixedIn,
      filePath: vulnerability.filePath,
      ...(sourceLayerHash !== undefined && { sourceLayerHash }),
    },
    fixed: true,
    exploit: false,
  })
}

function finding(facts: {
  cve: string
  description: string
  severity: string
  /** The scores, the one Inspector scores the finding with first. */
  scores: [CvssScore, ...CvssScore[]]
  source: string
  sourceUrl: string
  published: string
  vulnerablePackage: VulnerablePackage
  fixed: boolean
  exploit: boolean
}): EnhancedImageScanFinding {
  const [scored] = facts.scores
  return {
    description: facts.description,
    severity: facts.severity,
    score: scored.baseScore ?? 0,
    scoreDetails: {
      cvss: {
        adjustments: [],
        score: scored.baseScore ?? 0,
        scoreSource: scored.source,
        scoringVector: scored.scoringVector,
        version: scored.version,
      },
    },
    packageVulnerabilityDetails: {
      cvss: facts.scores,
      referenceUrls: [facts.sourceUrl],
      relatedVulnerabilities: [],
      source: facts.source,
      sourceUrl: facts.sourceUrl,
      vendorCreatedAt: new Date(facts.published),
      vulnerabilityId: facts.cve,
      vulnerablePackages: [facts.vulnerablePackage],
    },
    remediation: { recommendation: { text: facts.fixed ? FIXED : NO_FIX } },
    fixAvailable: facts.fixed ? 'YES' : 'NO',
    exploitAvailable: facts.exploit ? 'YES' : 'NO',
  }
}

/** A Debian version `[epoch:]upstream[-release]` in Inspector's parts. */
function debianVersion(full: string): { epoch: number; version: string; release?: string } {
  const colon = full.indexOf(':')
  const epoch = colon === -1 ? 0 : Number(full.slice(0, colon))
  const rest = full.slice(colon + 1)
  const dash = rest.lastIndexOf('-')
  return dash === -1 ? { epoch, version: rest } : { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) }
}

/** The digests of an image manifest's layers, base layer first. */
function layerDigests(manifest: string): string[] {
  const parsed = JSON.parse(manifest) as { layers?: Array<{ digest?: unknown }> }
  return (parsed.layers ?? []).flatMap((layer) => (typeof layer.digest === 'string' ? [layer.digest] : []))
}

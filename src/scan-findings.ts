import type { FindingSeverity, ImageScanFinding } from '@aws-sdk/client-ecr'
import type { ScannedImage } from './glossary.js'

/** A publicly known vulnerability, as the default findings sources describe it (sample data: close to the public records, not authoritative). */
export interface KnownVulnerability {
  cve: string
  packageName: string
  /** Debian's version string: `[epoch:]upstream-release`. */
  packageVersion: string
  severity: FindingSeverity
  cvss2: { vector: string; score: string }
  cvss3?: { vector: string; score: number }
  description: string
  /** When the vulnerability was published (ISO date). */
  published: string
  /** The package version that fixes it, if there is one. */
  fixedIn?: string
  /** A public exploit exists. */
  exploit?: true
}

/** Publicly known vulnerabilities of common Debian packages, the kind a basic scan reports. */
export const CATALOGUE: readonly KnownVulnerability[] = [
  {
    cve: 'CVE-2023-4911',
    packageName: 'glibc',
    packageVersion: '2.36-9+deb12u1',
    severity: 'HIGH',
    cvss2: { vector: 'AV:L/AC:L/Au:N/C:C/I:C/A:C', score: '7.2' },
    description: "A buffer overflow in the GNU C Library's dynamic loader ld.so while processing the GLIBC_TUNABLES environment variable.",
    cvss3: { vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', score: 7.8 },
    published: '2023-10-03',
    fixedIn: '2.36-9+deb12u3',
    exploit: true,
  },
  {
    cve: 'CVE-2023-38545',
    packageName: 'curl',
    packageVersion: '7.88.1-10',
    severity: 'CRITICAL',
    cvss2: { vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C', score: '10.0' },
    description: 'A heap based buffer overflow in the SOCKS5 proxy handshake of curl when the hostname is longer than 255 bytes.',
    cvss3: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
    published: '2023-10-18',
    fixedIn: '7.88.1-10+deb12u4',
    exploit: true,
  },
  {
    cve: 'CVE-2023-5678',
    packageName: 'openssl',
    packageVersion: '3.0.11-1~deb12u1',
    severity: 'MEDIUM',
    cvss2: { vector: 'AV:N/AC:L/Au:N/C:N/I:N/A:P', score: '5.0' },
    description: 'Generating excessively long X9.42 DH keys or checking excessively long X9.42 DH keys or parameters may be very slow.',
    cvss3: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', score: 5.3 },
    published: '2023-11-06',
    fixedIn: '3.0.13-1~deb12u1',
  },
  {
    cve: 'CVE-2022-37434',
    packageName: 'zlib',
    packageVersion: '1:1.2.11.dfsg-2',
    severity: 'CRITICAL',
    cvss2: { vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', score: '7.5' },
    description: 'zlib through 1.2.12 has a heap-based buffer over-read or buffer overflow in inflate via a large gzip header extra field.',
    cvss3: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
    published: '2022-08-05',
    fixedIn: '1:1.2.11.dfsg-2+deb11u2',
  },
  {
    cve: 'CVE-2024-2961',
    packageName: 'glibc',
    packageVersion: '2.36-9+deb12u4',
    severity: 'HIGH',
    cvss2: { vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', score: '7.5' },
    description: 'The iconv() function in the GNU C Library may overflow the output buffer when converting strings to the ISO-2022-CN-EXT character set.',
    published: '2024-04-17',
    fixedIn: '2.36-9+deb12u7',
  },
  {
    cve: 'CVE-2023-29383',
    packageName: 'shadow',
    packageVersion: '1:4.13+dfsg1-1',
    severity: 'LOW',
    cvss2: { vector: 'AV:L/AC:L/Au:N/C:N/I:P/A:N', score: '2.1' },
    description: 'In Shadow 4.13 it is possible to inject control characters into fields provided to the SUID program chfn.',
    cvss3: { vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:L/A:N', score: 3.3 },
    published: '2023-04-14',
  },
  {
    cve: 'CVE-2022-0563',
    packageName: 'util-linux',
    packageVersion: '2.38.1-5',
    severity: 'LOW',
    cvss2: { vector: 'AV:L/AC:M/Au:N/C:P/I:N/A:N', score: '1.9' },
    description: 'A flaw in util-linux chfn and chsh when compiled with Readline support lets an unprivileged user read root-owned files.',
    cvss3: { vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', score: 5.5 },
    published: '2022-02-21',
  },
  {
    cve: 'CVE-2023-4641',
    packageName: 'shadow',
    packageVersion: '1:4.13+dfsg1-1',
    severity: 'MEDIUM',
    cvss2: { vector: 'AV:L/AC:L/Au:N/C:P/I:N/A:N', score: '2.1' },
    description: 'The gpasswd tool of shadow-utils does not clear the password buffer after a failed confirmation, leaving it in memory.',
    cvss3: { vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', score: 5.5 },
    published: '2023-12-27',
  },
  {
    cve: 'CVE-2011-3374',
    packageName: 'apt',
    packageVersion: '2.6.1',
    severity: 'INFORMATIONAL',
    cvss2: { vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:N', score: '4.3' },
    description: 'apt-key in apt does not correctly validate gpg keys with the master keyring, leading to a potential man-in-the-middle attack.',
    cvss3: { vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N', score: 3.7 },
    published: '2019-11-26',
  },
  {
    cve: 'CVE-2022-27943',
    packageName: 'gcc-12',
    packageVersion: '12.2.0-14',
    severity: 'UNDEFINED',
    cvss2: { vector: 'AV:N/AC:M/Au:N/C:N/I:N/A:P', score: '4.3' },
    description: 'libiberty/rust-demangle.c in GNU GCC 11.2 allows stack exhaustion in demangle_const.',
    cvss3: { vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', score: 5.5 },
    published: '2022-03-26',
  },
]

/** The hex digits of a digest (what follows `algorithm:`). */
export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1)
}

/** The catalogue entries an image is vulnerable to: a realistic subset chosen from its digest (the same image always gets the same). */
export function vulnerabilitiesOf(imageDigest: string): KnownVulnerability[] {
  const hex = digestHex(imageDigest)
  return CATALOGUE.filter((_, index) => parseInt(hex.charAt(index) || '0', 16) % 2 === 0)
}

/**
 * The default findings source of basic scans: a realistic, deterministic subset of the
 * catalogue chosen from the image digest (the same image always gets the same findings).
 */
export function defaultScanFindings(image: ScannedImage): ImageScanFinding[] {
  return vulnerabilitiesOf(image.imageDigest).map((vulnerability) => ({
    name: vulnerability.cve,
    description: vulnerability.description,
    uri: `https://security-tracker.debian.org/tracker/${vulnerability.cve}`,
    severity: vulnerability.severity,
    attributes: [
      { key: 'package_version', value: vulnerability.packageVersion },
      { key: 'package_name', value: vulnerability.packageName },
      { key: 'CVSS2_VECTOR', value: vulnerability.cvss2.vector },
      { key: 'CVSS2_SCORE', value: vulnerability.cvss2.score },
    ],
  }))
}

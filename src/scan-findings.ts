import type { FindingSeverity, ImageScanFinding } from '@aws-sdk/client-ecr'
import type { ScannedImage } from './glossary.js'

interface KnownVulnerability {
  cve: string
  packageName: string
  packageVersion: string
  severity: FindingSeverity
  cvss2: { vector: string; score: string }
  description: string
}

/** Publicly known vulnerabilities of common Debian packages, the kind a basic scan reports. */
const CATALOGUE: readonly KnownVulnerability[] = [
  {
    cve: 'CVE-2023-4911',
    packageName: 'glibc',
    packageVersion: '2.36-9+deb12u1',
    severity: 'HIGH',
    cvss2: { vector: 'AV:L/AC:L/Au:N/C:C/I:C/A:C', score: '7.2' },
    description: "A buffer overflow in the GNU C Library's dynamic loader ld.so while processing the GLIBC_TUNABLES environment variable.",
  },
  {
    cve: 'CVE-2023-38545',
    packageName: 'curl',
    packageVersion: '7.88.1-10',
    severity: 'CRITICAL',
    cvss2: { vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C', score: '10.0' },
    description: 'A heap based buffer overflow in the SOCKS5 proxy handshake of curl when the hostname is longer than 255 bytes.',
  },
  {
    cve: 'CVE-2023-5678',
    packageName: 'openssl',
    packageVersion: '3.0.11-1~deb12u1',
    severity: 'MEDIUM',
    cvss2: { vector: 'AV:N/AC:L/Au:N/C:N/I:N/A:P', score: '5.0' },
    description: 'Generating excessively long X9.42 DH keys or checking excessively long X9.42 DH keys or parameters may be very slow.',
  },
  {
    cve: 'CVE-2022-37434',
    packageName: 'zlib',
    packageVersion: '1:1.2.11.dfsg-2',
    severity: 'CRITICAL',
    cvss2: { vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', score: '7.5' },
    description: 'zlib through 1.2.12 has a heap-based buffer over-read or buffer overflow in inflate via a large gzip header extra field.',
  },
  {
    cve: 'CVE-2024-2961',
    packageName: 'glibc',
    packageVersion: '2.36-9+deb12u4',
    severity: 'HIGH',
    cvss2: { vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', score: '7.5' },
    description: 'The iconv() function in the GNU C Library may overflow the output buffer when converting strings to the ISO-2022-CN-EXT character set.',
  },
  {
    cve: 'CVE-2023-29383',
    packageName: 'shadow',
    packageVersion: '1:4.13+dfsg1-1',
    severity: 'LOW',
    cvss2: { vector: 'AV:L/AC:L/Au:N/C:N/I:P/A:N', score: '2.1' },
    description: 'In Shadow 4.13 it is possible to inject control characters into fields provided to the SUID program chfn.',
  },
  {
    cve: 'CVE-2022-0563',
    packageName: 'util-linux',
    packageVersion: '2.38.1-5',
    severity: 'LOW',
    cvss2: { vector: 'AV:L/AC:M/Au:N/C:P/I:N/A:N', score: '1.9' },
    description: 'A flaw in util-linux chfn and chsh when compiled with Readline support lets an unprivileged user read root-owned files.',
  },
  {
    cve: 'CVE-2023-4641',
    packageName: 'shadow',
    packageVersion: '1:4.13+dfsg1-1',
    severity: 'MEDIUM',
    cvss2: { vector: 'AV:L/AC:L/Au:N/C:P/I:N/A:N', score: '2.1' },
    description: 'The gpasswd tool of shadow-utils does not clear the password buffer after a failed confirmation, leaving it in memory.',
  },
  {
    cve: 'CVE-2011-3374',
    packageName: 'apt',
    packageVersion: '2.6.1',
    severity: 'INFORMATIONAL',
    cvss2: { vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:N', score: '4.3' },
    description: 'apt-key in apt does not correctly validate gpg keys with the master keyring, leading to a potential man-in-the-middle attack.',
  },
  {
    cve: 'CVE-2022-27943',
    packageName: 'gcc-12',
    packageVersion: '12.2.0-14',
    severity: 'UNDEFINED',
    cvss2: { vector: 'AV:N/AC:M/Au:N/C:N/I:N/A:P', score: '4.3' },
    description: 'libiberty/rust-demangle.c in GNU GCC 11.2 allows stack exhaustion in demangle_const.',
  },
]

/**
 * The default findings source of basic scans: a realistic, deterministic subset of the
 * catalogue chosen from the image digest (the same image always gets the same findings).
 */
export function defaultScanFindings(image: ScannedImage): ImageScanFinding[] {
  const hex = image.imageDigest.slice(image.imageDigest.indexOf(':') + 1)
  return CATALOGUE.filter((_, index) => parseInt(hex.charAt(index) || '0', 16) % 2 === 0).map((vulnerability) => ({
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

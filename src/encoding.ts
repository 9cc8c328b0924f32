const encoder = new TextEncoder()

/** Unpadded base64url of bytes, or of a string's UTF-8 bytes. */
export function base64url(content: Uint8Array | string): string {
  const bytes = typeof content === 'string' ? encoder.encode(content) : content
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Decodes unpadded base64url (throws on text that is not base64url). */
export function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}
